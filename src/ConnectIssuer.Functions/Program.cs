using ConnectIssuer.Functions;
using Microsoft.Extensions.Hosting;

// The composition lives in FunctionsAppHost, so tests can build the same host without running it.
FunctionsAppHost.CreateBuilder(args).Build().Run();
