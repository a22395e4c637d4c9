using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ConnectIssuer.Benchmarks;

// Real figures (docs/performance.md):  dotnet run -c Release --project bench/ConnectIssuer.Benchmarks -- --filter '*'
// Quick smoke run (CI-like, seconds):  dotnet run -c Release --project bench/ConnectIssuer.Benchmarks -- --filter '*' --smoke
// (--smoke is BenchmarkDotNet's ShortRun job: 1 launch, 3 warm-up and 3 measured iterations; `--job short` does the same.)
const string Smoke = "--smoke";
IConfig config = args.Contains(Smoke)
    ? ManualConfig.Create(DefaultConfig.Instance).AddJob(Job.ShortRun)
    : DefaultConfig.Instance;
BenchmarkSwitcher.FromAssembly(typeof(MintBenchmarks).Assembly).Run([.. args.Where(a => a != Smoke)], config);
