using P2PActors.Node.Cli;

return await NodeCli.RunAsync(args, Console.Out, Console.Error);
