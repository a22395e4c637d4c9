using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace ConnectIssuer.Tests.Architecture;

/// <summary>
/// Issue 13 item 3: no dependency cycle between the namespaces of <c>src/ConnectIssuer</c>. The dependencies are read from
/// the compiled assembly: base types, interfaces, field, method, property and local signatures, attribute types, and every
/// type, method and field token in the method bodies (lambdas and async state machines are nested types, so they count for
/// the namespace of the type that declares them). Constants are inlined by the compiler and therefore not seen.
/// </summary>
public sealed class NamespaceCycleTests
{
    [Fact]
    public void ConnectIssuerNamespacesHaveNoCycle()
    {
        var graph = NamespaceGraph.Of(typeof(Routes).Assembly);

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, "Namespace cycles in src/ConnectIssuer:\n" + string.Join("\n", cycles.Select(graph.Describe)));
    }

    [Fact]
    public void TheGraphSeesDependenciesFromSignaturesAndMethodBodies()
    {
        var graph = NamespaceGraph.Of(typeof(Routes).Assembly);

        // Signatures: the pipeline's constructor takes the caller authenticator.
        Assert.Contains("ConnectIssuer.Callers", graph.DependenciesOf("ConnectIssuer.Issuing"));
        // Method bodies only: the composition root creates the vendors' registrations.
        Assert.Contains("ConnectIssuer.Fivetran", graph.DependenciesOf("ConnectIssuer"));
        // A cycle is found when there is one.
        var cyclic = new NamespaceGraph();
        cyclic.Add("A", "B", "A.X -> B.Y");
        cyclic.Add("B", "C", "B.Y -> C.Z");
        cyclic.Add("C", "A", "C.Z -> A.X");
        cyclic.Add("C", "D", "C.Z -> D.W");
        var cycle = Assert.Single(cyclic.Cycles());
        Assert.Equal(["A", "B", "C"], cycle);
    }
}

/// <summary>Namespace-to-namespace dependencies of one assembly, with one example type pair per edge.</summary>
internal sealed class NamespaceGraph
{
    private const string Root = "ConnectIssuer";

    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly SortedDictionary<string, SortedDictionary<string, string>> _edges = new(StringComparer.Ordinal);

    public static NamespaceGraph Of(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var reader = pe.GetMetadataReader();
        var graph = new NamespaceGraph();
        foreach (var handle in reader.TypeDefinitions)
        {
            var from = NamespaceOf(reader, handle);
            if (!IsOurs(from))
            {
                continue;
            }

            var fromName = NameOf(reader, handle);
            foreach (var target in References(reader, pe, handle))
            {
                var to = NamespaceOf(reader, target);
                if (IsOurs(to) && to != from)
                {
                    graph.Add(from, to, $"{fromName} -> {NameOf(reader, target)}");
                }
            }
        }

        return graph;
    }

    public void Add(string from, string to, string example)
    {
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new(StringComparer.Ordinal);
        }

        targets.TryAdd(to, example);
    }

    public IReadOnlyCollection<string> DependenciesOf(string ns) => _edges.TryGetValue(ns, out var targets) ? targets.Keys : [];

    /// <summary>The strongly connected components with more than one namespace, each sorted.</summary>
    public List<List<string>> Cycles()
    {
        var nodes = _edges.Keys.Concat(_edges.Values.SelectMany(t => t.Keys)).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return result;

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in DependenciesOf(node))
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    result.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }
    }

    public string Describe(List<string> cycle) =>
        $"  {string.Join(", ", cycle)}:\n" + string.Join("\n", cycle
            .SelectMany(from => DependenciesOf(from).Where(cycle.Contains).Select(to => $"    {from} -> {to} (e.g. {_edges[from][to]})")));

    private static bool IsOurs(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal);

    private static string NamespaceOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } declaring)
        {
            type = reader.GetTypeDefinition(declaring);
        }

        return reader.GetString(type.Namespace);
    }

    private static string NameOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } declaring)
        {
            type = reader.GetTypeDefinition(declaring);
        }

        return $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
    }

    private static HashSet<TypeDefinitionHandle> References(MetadataReader reader, PEReader pe, TypeDefinitionHandle handle)
    {
        var found = new HashSet<TypeDefinitionHandle>();
        var provider = new TypeCollector();
        var type = reader.GetTypeDefinition(handle);

        AddEntity(type.BaseType);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            AddEntity(reader.GetInterfaceImplementation(implementation).Interface);
        }

        AddAttributes(type.GetCustomAttributes());
        foreach (var fieldHandle in type.GetFields())
        {
            var field = reader.GetFieldDefinition(fieldHandle);
            found.UnionWith(field.DecodeSignature(provider, null));
            AddAttributes(field.GetCustomAttributes());
        }

        foreach (var propertyHandle in type.GetProperties())
        {
            var property = reader.GetPropertyDefinition(propertyHandle);
            AddSignature(property.DecodeSignature(provider, null));
            AddAttributes(property.GetCustomAttributes());
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(methodHandle);
            AddSignature(method.DecodeSignature(provider, null));
            AddAttributes(method.GetCustomAttributes());
            foreach (var parameter in method.GetParameters())
            {
                AddAttributes(reader.GetParameter(parameter).GetCustomAttributes());
            }

            if (method.RelativeVirtualAddress != 0)
            {
                AddBody(pe.GetMethodBody(method.RelativeVirtualAddress));
            }
        }

        return found;

        void AddSignature(MethodSignature<IEnumerable<TypeDefinitionHandle>> signature)
        {
            found.UnionWith(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
            {
                found.UnionWith(parameter);
            }
        }

        void AddAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var attribute in attributes)
            {
                AddEntity(reader.GetCustomAttribute(attribute).Constructor);
            }
        }

        void AddBody(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null))
                {
                    found.UnionWith(local);
                }
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short value = il.ReadByte();
                if (value == 0xFE)
                {
                    value = (short)(0xFE00 | il.ReadByte());
                }

                switch (OperandTypes[value])
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        AddEntity(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSig:
                        var signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)MetadataTokens.EntityHandle(il.ReadInt32()));
                        AddSignature(signature.DecodeMethodSignature(provider, null));
                        break;
                    case OperandType.InlineSwitch:
                        il.Offset += 4 * il.ReadInt32();
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineI or OperandType.InlineBrTarget or OperandType.InlineString or OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                }
            }
        }

        void AddEntity(EntityHandle entity)
        {
            if (entity.IsNil)
            {
                return;
            }

            switch (entity.Kind)
            {
                case HandleKind.TypeDefinition:
                    found.Add((TypeDefinitionHandle)entity);
                    break;
                case HandleKind.TypeSpecification:
                    found.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)entity).DecodeSignature(provider, null));
                    break;
                case HandleKind.MethodDefinition:
                    found.Add(reader.GetMethodDefinition((MethodDefinitionHandle)entity).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    found.Add(reader.GetFieldDefinition((FieldDefinitionHandle)entity).GetDeclaringType());
                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)entity);
                    AddEntity(specification.Method);
                    foreach (var argument in specification.DecodeSignature(provider, null))
                    {
                        found.UnionWith(argument);
                    }

                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)entity);
                    AddEntity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        AddSignature(member.DecodeMethodSignature(provider, null));
                    }
                    else
                    {
                        found.UnionWith(member.DecodeFieldSignature(provider, null));
                    }

                    break;
            }
        }
    }

    /// <summary>Decodes a signature into the type definitions of this assembly that it names.</summary>
    private sealed class TypeCollector : ISignatureTypeProvider<IEnumerable<TypeDefinitionHandle>, object?>
    {
        public IEnumerable<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public IEnumerable<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public IEnumerable<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];

        public IEnumerable<TypeDefinitionHandle> GetTypeFromSpecification(
            MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public IEnumerable<TypeDefinitionHandle> GetSZArrayType(IEnumerable<TypeDefinitionHandle> elementType) => elementType;

        public IEnumerable<TypeDefinitionHandle> GetArrayType(IEnumerable<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public IEnumerable<TypeDefinitionHandle> GetByReferenceType(IEnumerable<TypeDefinitionHandle> elementType) => elementType;

        public IEnumerable<TypeDefinitionHandle> GetPointerType(IEnumerable<TypeDefinitionHandle> elementType) => elementType;

        public IEnumerable<TypeDefinitionHandle> GetPinnedType(IEnumerable<TypeDefinitionHandle> elementType) => elementType;

        public IEnumerable<TypeDefinitionHandle> GetModifiedType(
            IEnumerable<TypeDefinitionHandle> modifier, IEnumerable<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;

        public IEnumerable<TypeDefinitionHandle> GetGenericInstantiation(
            IEnumerable<TypeDefinitionHandle> genericType, ImmutableArray<IEnumerable<TypeDefinitionHandle>> typeArguments) =>
            genericType.Concat(typeArguments.SelectMany(a => a)).ToList();

        public IEnumerable<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => [];

        public IEnumerable<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => [];

        public IEnumerable<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<IEnumerable<TypeDefinitionHandle>> signature) =>
            signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(p => p)).ToList();
    }
}
