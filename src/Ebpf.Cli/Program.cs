Console.Error.WriteLine("ebpf: not implemented yet"); return 1;
