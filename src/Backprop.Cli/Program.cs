using Backprop.Cli;

return Cli.Run(args);
