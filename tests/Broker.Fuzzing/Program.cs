// The harness's entry point. Under afl-fuzz (scripts/fuzz) it runs one target in SharpFuzz's out-of-process
// persistent loop; by hand it replays files through a target, or lists the targets.
//
//   Broker.Fuzzing TARGET                 run under afl-fuzz (reads inputs from AFL)
//   Broker.Fuzzing replay TARGET FILE...  run files through TARGET and say which break its contract (exit 1 if any)
//   Broker.Fuzzing list                   the targets and what each reads
using Broker.Fuzzing;
using SharpFuzz;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Broker.Fuzzing TARGET | replay TARGET FILE... | list");
    return 2;
}

if (args[0] == "list")
{
    foreach (var target in FuzzTargets.All)
    {
        Console.WriteLine($"{target.Name,-8} {target.What}");
    }

    return 0;
}

if (args[0] == "replay")
{
    if (args.Length < 3)
    {
        Console.Error.WriteLine("usage: Broker.Fuzzing replay TARGET FILE...");
        return 2;
    }

    var target = FuzzTargets.Named(args[1]);
    var broken = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
            Console.WriteLine($"ok      {file}");
        }
        catch (Exception e)
        {
            broken++;
            Console.WriteLine($"BROKEN  {file}: {e.GetType().Name}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }

    return broken == 0 ? 0 : 1;
}

var run = FuzzTargets.Named(args[0]).Run;
Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    run(copy.ToArray());
});
return 0;
