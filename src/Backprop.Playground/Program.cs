using System.Runtime.InteropServices.JavaScript;
using Backprop.Playground;
using Backprop.Playground.Drawing;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

// This app only ever runs in a browser.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("browser")]

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<Playground>("#app");
// The one JavaScript module: canvas pixels, the address's hash, file downloads.
await JSHost.ImportAsync(Browser.Module, "../js/playground.js");
await builder.Build().RunAsync();
