using ConnectIssuer.Server;

// The same routes, pipeline and settings as the Functions app, on Kestrel (http://localhost:7071 by default).
ServerApp.Create(new WebApplicationOptions { Args = args }).Run();
