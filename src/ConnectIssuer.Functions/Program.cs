using ConnectIssuer;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// HttpRequest in, IResult out: the HTTP proxying middleware executes the handlers' TypedResults.
builder.ConfigureFunctionsWebApplication();

// Application Insights for the worker (Entra-authenticated through APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();

// All behaviour (caller auth, rate limits, secrets, vendors, audit) lives in the core library.
builder.Services.AddConnectIssuer();

builder.Build().Run();
