namespace ConnectIssuer.Tests.Infra;

/// <summary>
/// One ARM template expression (the <c>[...]</c> strings in compiled Bicep), parsed so tests can
/// ask what a value is made of instead of matching text. <see cref="ToString"/> gives a canonical
/// form (<c>reference(resourceId('T', parameters('n')), 'v').clientId</c>) for messages and
/// comparisons.
/// </summary>
internal abstract record ArmNode
{
    /// <summary>A JSON string from a template: an expression when bracketed, else a literal.</summary>
    public static ArmNode FromTemplateString(string text) =>
        text.Length >= 2 && text[0] == '[' && text[^1] == ']' && !text.StartsWith("[[", StringComparison.Ordinal)
            ? new ArmParser(text[1..^1]).ParseAll()
            : new ArmString(text);

    /// <summary>Any JSON value from a template: strings are parsed, other values become literals.</summary>
    public static ArmNode FromJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => FromTemplateString(value.GetString()!),
        _ => new ArmLiteral(value.GetRawText()),
    };

    /// <summary>The literal text, when this node is a string literal.</summary>
    public string? Text => this is ArmString s ? s.Value : null;

    /// <summary>Calls anywhere in this node, this one included, depth first.</summary>
    public IEnumerable<ArmCall> Calls()
    {
        switch (this)
        {
            case ArmCall call:
                yield return call;
                foreach (var inner in call.Arguments.SelectMany(a => a.Calls()))
                {
                    yield return inner;
                }

                break;
            case ArmMember member:
                foreach (var inner in member.Target.Calls())
                {
                    yield return inner;
                }

                break;
            case ArmIndex index:
                foreach (var inner in index.Target.Calls().Concat(index.Index.Calls()))
                {
                    yield return inner;
                }

                break;
        }
    }

    /// <summary>
    /// For <c>reference(resourceId('Type', name), ...).a.b</c> (or <c>resourceId('Type', name)</c>
    /// itself, property path empty): the resource type and the property path; else null.
    /// </summary>
    public (string ResourceType, string Path)? ResourceProperty()
    {
        var path = new List<string>();
        var node = this;
        while (node is ArmMember member)
        {
            path.Insert(0, member.Name);
            node = member.Target;
        }

        if (node is ArmCall { Name: "reference" } reference && reference.Arguments.Count > 0)
        {
            node = reference.Arguments[0];
        }

        return node is ArmCall { Name: "resourceId" } id && id.Arguments.Count >= 2 && id.Arguments[0].Text is { } type
            ? (type, string.Join('.', path))
            : null;
    }
}

internal sealed record ArmString(string Value) : ArmNode
{
    public override string ToString() => $"'{Value.Replace("'", "''", StringComparison.Ordinal)}'";
}

/// <summary>A number, or a non-string JSON value (true, false, an object) written literally in the template.</summary>
internal sealed record ArmLiteral(string Raw) : ArmNode
{
    public override string ToString() => Raw;
}

internal sealed record ArmCall(string Name, IReadOnlyList<ArmNode> Arguments) : ArmNode
{
    public override string ToString() => $"{Name}({string.Join(", ", Arguments)})";
}

internal sealed record ArmMember(ArmNode Target, string Name) : ArmNode
{
    public override string ToString() => $"{Target}.{Name}";
}

internal sealed record ArmIndex(ArmNode Target, ArmNode Index) : ArmNode
{
    public override string ToString() => $"{Target}[{Index}]";
}

/// <summary>Recursive descent over the ARM expression grammar: literals, calls, <c>.member</c>, <c>[index]</c>.</summary>
internal sealed class ArmParser(string text)
{
    private int _position;

    public ArmNode ParseAll()
    {
        var node = ParseExpression();
        SkipSpace();
        if (_position != text.Length)
        {
            throw Error("end of expression");
        }

        return node;
    }

    private ArmNode ParseExpression()
    {
        var node = ParsePrimary();
        while (true)
        {
            SkipSpace();
            if (TryTake('.'))
            {
                node = new ArmMember(node, ParseIdentifier());
            }
            else if (TryTake('['))
            {
                var index = ParseExpression();
                Expect(']');
                node = new ArmIndex(node, index);
            }
            else
            {
                return node;
            }
        }
    }

    private ArmNode ParsePrimary()
    {
        SkipSpace();
        if (_position >= text.Length)
        {
            throw Error("a value");
        }

        var c = text[_position];
        if (c == '\'')
        {
            return ParseString();
        }

        if (char.IsAsciiDigit(c) || c == '-')
        {
            var start = _position++;
            while (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] == '.'))
            {
                _position++;
            }

            return new ArmLiteral(text[start.._position]);
        }

        var name = ParseIdentifier();
        Expect('(');
        var arguments = new List<ArmNode>();
        SkipSpace();
        if (!TryTake(')'))
        {
            do
            {
                arguments.Add(ParseExpression());
                SkipSpace();
            }
            while (TryTake(','));
            Expect(')');
        }

        return new ArmCall(name, arguments);
    }

    private ArmString ParseString()
    {
        var value = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= text.Length)
            {
                throw Error("a closing quote");
            }

            if (text[_position] == '\'')
            {
                if (_position + 1 < text.Length && text[_position + 1] == '\'')
                {
                    value.Append('\'');
                    _position += 2;
                    continue;
                }

                _position++;
                return new ArmString(value.ToString());
            }

            value.Append(text[_position++]);
        }
    }

    private string ParseIdentifier()
    {
        SkipSpace();
        var start = _position;
        while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
        {
            _position++;
        }

        return _position > start ? text[start.._position] : throw Error("a name");
    }

    private void SkipSpace()
    {
        while (_position < text.Length && char.IsWhiteSpace(text[_position]))
        {
            _position++;
        }
    }

    private bool TryTake(char c)
    {
        SkipSpace();
        if (_position < text.Length && text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        if (!TryTake(c))
        {
            throw Error($"'{c}'");
        }
    }

    private FormatException Error(string expected) =>
        new($"ARM expression: expected {expected} at {_position} in [{text}]");
}
