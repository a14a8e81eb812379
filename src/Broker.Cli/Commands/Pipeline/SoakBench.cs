// `broker bench soak --minutes M --rate R`: the whole pipeline at one offered rate for minutes, as an operator's silo
// runs, to see whether memory is bounded. Each minute it prints what was finished, the CPU, the ingest-to-publish
// p99 of that minute, the process's resident memory (RSS), the GC heap after the last collection and the memory the
// GC has committed, the collections so far, and the largest RSS seen. Same rig as `bench e2e` (one-silo cluster by
// default, --alone, --archive).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Broker.Cli.Commands.Pipeline;

internal static class SoakBench
{
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "How long to run at the rate.", DefaultValueFactory = _ => 5 };
        var rate = new Option<double>("--rate") { Description = "Offered messages/s.", DefaultValueFactory = _ => 300 };
        var generated = new Option<int>("--generated") { Description = "Distinct generated alerts to cycle through.", DefaultValueFactory = _ => 2000 };
        var warmup = new Option<int>("--warmup") { Description = "Alerts replayed before the first minute.", DefaultValueFactory = _ => 2000 };
        var alone = new Option<bool>("--alone") { Description = "Run the pipeline without a silo (no grains)." };
        var archive = new Option<string?>("--archive") { Description = "Also keep every published alert in a night archive here; left there afterwards." };
        var command = new Command("soak", "Minutes at one rate: per minute the rate, CPU, p99 latency, RSS, GC heap and committed memory.") { minutes, rate, generated, warmup, alone, archive };
        command.SetAction(async (parse, given) =>
        {
            using var signal = new Broker.Cli.Hosting.ShutdownSignal(given); // SIGINT/SIGTERM end the soak after the current minute's replay
            var cancel = signal.Token;
            var inv = CultureInfo.InvariantCulture;
            var offered = parse.GetValue(rate);
            if (offered <= 0 || parse.GetValue(minutes) <= 0)
            {
                Console.Error.WriteLine("error: --rate and --minutes must be positive.");
                return 2;
            }

            await using var rig = await E2eRig.StartAsync(new E2eRigOptions { Generated = parse.GetValue(generated), Cnn = Cnn.CnnCommands.ServingModel, Alone = parse.GetValue(alone), Archive = parse.GetValue(archive) });
            await rig.WarmUpAsync(parse.GetValue(warmup), cancel);
            Console.Out.WriteLine(rig.Describe());
            Console.Out.WriteLine(string.Create(inv, $"offered {offered:F0}/s for {parse.GetValue(minutes):F1} min; server GC {System.Runtime.GCSettings.IsServerGC}, GC heap limit {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 20)} MiB"));
            Console.Out.WriteLine("minute  alerts/s  cores  p99_ms   rss_mib  heap_mib  committed_mib  gen0  gen1  gen2");
            var total = TimeSpan.FromMinutes(parse.GetValue(minutes));
            var minute = TimeSpan.FromMinutes(1);
            var clock = Stopwatch.StartNew();
            long peakRss = 0;
            var index = 0;
            var lines = new List<string>();
            while (clock.Elapsed < total && !cancel.IsCancellationRequested)
            {
                index++;
                var span = total - clock.Elapsed < minute ? total - clock.Elapsed : minute;
                var before = rig.Done();
                rig.Pipeline.Metrics.IngestToPublishSamples.Clear();
                var cpu = E2eRig.Cpu();
                var started = Stopwatch.StartNew();
                long produced;
                try
                {
                    produced = await rig.ReplayAsync((int)Math.Ceiling(offered * span.TotalSeconds), offered, span, cancel);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    index--;
                    break; // stopped: the whole minutes so far are the result
                }

                SpinWait.SpinUntil(() => rig.Done() >= before + produced, TimeSpan.FromSeconds(10));
                var elapsed = started.Elapsed.TotalSeconds;
                var p99 = rig.Pipeline.Metrics.IngestToPublishSamples.Percentiles(0.99)[0];
                using var self = Process.GetCurrentProcess();
                var rss = self.WorkingSet64;
                peakRss = Math.Max(peakRss, rss);
                var gc = GC.GetGCMemoryInfo();
                var line = string.Create(inv,
                    $"{index,6}  {(rig.Done() - before) / elapsed,8:F0}  {(E2eRig.Cpu() - cpu).TotalSeconds / elapsed,5:F2}  {p99,6:F0}  {rss / (1 << 20),8}  {gc.HeapSizeBytes / (1 << 20),8}  {gc.TotalCommittedBytes / (1 << 20),13}  {GC.CollectionCount(0),4}  {GC.CollectionCount(1),4}  {GC.CollectionCount(2),4}");
                Console.Out.WriteLine(line);
                lines.Add(string.Create(inv, $"m{index}_rss_mib={rss / (1 << 20)} m{index}_heap_mib={gc.HeapSizeBytes / (1 << 20)} m{index}_p99_ms={p99:F0}"));
            }

            Console.Out.WriteLine(string.Create(inv, $"bench=soak mode={(rig.InSilo ? "silo" : "alone")} rate={offered:F0} minutes={index} peak_rss_mib={peakRss / (1 << 20)} {string.Join(' ', lines)}"));
            return 0;
        });
        return command;
    }
}
