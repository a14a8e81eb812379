// `broker bench ...`: measured throughput of the broker's stages on this machine. Each run ends with one
// machine-readable line of key=value pairs. Results are recorded in docs/performance.md.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Alerts.Decoding;

namespace Broker.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the throughput of a stage on this machine.");
        bench.Subcommands.Add(Decode());
        return bench;
    }

    private static Command Decode()
    {
        var input = new Argument<DirectoryInfo>("alerts") { Description = "Folder of alert files (*.avro), searched recursively." };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure.", DefaultValueFactory = _ => 10 };
        var cutouts = new Option<bool>("--no-cutouts") { Description = "Skip cutout decompression and FITS decoding." };
        var command = new Command("decode", "Alert decoding (Avro + cutout gunzip + FITS) in alerts per second on one core.")
        {
            input, seconds, cutouts,
        };
        command.SetAction(parse =>
        {
            var decoder = new AlertDecoder(decodeCutouts: !parse.GetValue(cutouts));
            var messages = new List<byte[]>();
            foreach (var file in Directory.EnumerateFiles(parse.GetValue(input)!.FullName, "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var bytes = File.ReadAllBytes(file);
                try
                {
                    decoder.Decode(bytes); // keep only what decodes: the bench measures the good path
                    messages.Add(bytes);
                }
                catch (AlertDecodeException)
                {
                }
            }

            if (messages.Count == 0)
            {
                Console.Error.WriteLine("error: no decodable alert files in that folder");
                return 2;
            }

            // Warm up (JIT, schema cache), then measure on this one thread.
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed < TimeSpan.FromSeconds(1))
            {
                foreach (var m in messages)
                {
                    decoder.Decode(m);
                }
            }

            var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
            long alerts = 0, bytesIn = 0;
            var gcBefore = GC.CollectionCount(0);
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < limit)
            {
                foreach (var m in messages)
                {
                    alerts += decoder.Decode(m).Count;
                    bytesIn += m.Length;
                }
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var rate = alerts / elapsed;
            var inv = CultureInfo.InvariantCulture;
            Console.Out.WriteLine(string.Create(inv, $"{messages.Count} distinct messages, {alerts} alerts decoded in {elapsed:F1} s on one thread ({cpu:F1} s CPU)"));
            Console.Out.WriteLine(string.Create(inv, $"{rate:F0} alerts/s, {bytesIn / elapsed / 1e6:F1} MB/s in, {1e6 / rate:F1} us/alert, {allocated / (double)alerts / 1024:F1} KiB allocated/alert, {GC.CollectionCount(0) - gcBefore} gen0 GCs"));
            Console.Out.WriteLine(string.Create(inv,
                $"bench=decode cutouts={(!parse.GetValue(cutouts)).ToString().ToLowerInvariant()} alerts_per_s={rate:F0} us_per_alert={1e6 / rate:F1} kib_alloc_per_alert={allocated / (double)alerts / 1024:F1} messages={messages.Count} seconds={elapsed:F1}"));
            return 0;
        });
        return command;
    }
}
