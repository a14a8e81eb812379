// `broker replay SOURCE... --bootstrap host:port --topic T [--rate R]`: recorded alerts produced into a Kafka topic,
// as a survey would have sent them: for a private stream, or for a broker group of its own to annotate. Progress
// every second (count, rate, ETA); at the end one key=value line. Exit 0 when every message was delivered, 1 when
// nothing was (an empty source, or Kafka refusing everything) or some failed, 2 for a source that cannot be read.
using System.Diagnostics;
using System.Globalization;
using Broker.Kafka;
using Broker.Pipeline.Replay;
using Confluent.Kafka;

namespace Broker.Cli.Commands.Pipeline;

internal static class ReplayToTopic
{
    /// <summary>Produces <paramref name="messages"/> (its first already read) into <paramref name="target"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(IEnumerator<(string Name, byte[] Bytes)> messages, long? total, string bootstrap, string target, double perSecond, CancellationToken cancel)
    {
        var inv = CultureInfo.InvariantCulture;
        long produced = 0;
        var reports = new Deliveries();
        using var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, MessageMaxBytes = 10_000_000 });
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        try
        {
            do
            {
                if (cancel.IsCancellationRequested)
                {
                    break;
                }

                if (perSecond > 0 && clock.Elapsed.TotalSeconds < produced / perSecond)
                {
                    await Task.Delay(TimeSpan.FromSeconds((produced / perSecond) - clock.Elapsed.TotalSeconds), CancellationToken.None);
                }

                var (name, bytes) = messages.Current;
                KafkaClients.ProduceWaiting(producer, target, new Message<byte[]?, byte[]> { Value = bytes }, report => reports.Add(name, report.Error));
                produced++;
                if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
                {
                    lastReport = clock.Elapsed;
                    var done = reports.Delivered;
                    var speed = done / clock.Elapsed.TotalSeconds;
                    var eta = total is { } all && speed > 0 ? string.Create(inv, $"  ETA {(all - done) / speed,5:F0} s") : string.Empty;
                    Console.Out.WriteLine(string.Create(inv, $"  {clock.Elapsed.TotalSeconds,5:F0} s  delivered {done,7}{(total is { } n ? $" of {n}" : string.Empty)}  {speed,7:F0} msg/s{eta}"));
                }
            }
            while (messages.MoveNext());
        }
        catch (Exception e) when (e is Broker.Archive.ArchiveException or IOException or UnauthorizedAccessException)
        {
            producer.Flush(TimeSpan.FromSeconds(60));
            await Console.Error.WriteLineAsync($"error: {e.Message} ({reports.Delivered} messages delivered before it)");
            return 2;
        }

        producer.Flush(TimeSpan.FromSeconds(60));
        var seconds = clock.Elapsed.TotalSeconds;
        var (delivered, failed) = (reports.Delivered, produced - reports.Delivered); // failed, or never reported
        if (reports.FirstError is { } first)
        {
            await Console.Error.WriteLineAsync($"error: {reports.Failed} messages were not delivered; the first: {first}");
        }

        Console.Out.WriteLine(string.Create(inv,
            $"replay=done messages={produced} delivered={delivered} failed={failed} seconds={seconds:F1} rate_per_s={delivered / Math.Max(seconds, 1e-3):F0}"));
        return delivered == 0 || failed > 0 ? 1 : 0;
    }

    /// <summary>Delivery reports counted as they come (on librdkafka's thread).</summary>
    private sealed class Deliveries
    {
        private long _delivered;
        private long _failed;
        private string? _firstError;

        public long Delivered => Interlocked.Read(ref _delivered);

        public long Failed => Interlocked.Read(ref _failed);

        public string? FirstError => Volatile.Read(ref _firstError);

        public void Add(string name, Error error)
        {
            if (error.IsError)
            {
                Interlocked.CompareExchange(ref _firstError, $"{name}: {error.Reason}", null);
                Interlocked.Increment(ref _failed);
            }
            else
            {
                Interlocked.Increment(ref _delivered);
            }
        }
    }
}
