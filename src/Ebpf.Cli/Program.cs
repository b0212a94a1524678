return Ebpf.Cli.EbpfCli.Run(args, Console.Out, Console.Error);
