using ConnectIssuer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddConnectIssuer();
var app = builder.Build();
app.Run();
