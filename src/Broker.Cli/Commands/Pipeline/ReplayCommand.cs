// `broker replay SOURCE... --bootstrap host:port --topic T [--rate R]`: recorded alerts (folders of alert files,
// .avro files, ZTF public nightly tarballs) produced into a Kafka topic, as a survey would have sent them: for a
// private stream, or for a broker group of its own to annotate. Progress every second (count, rate, ETA); at the
// end one key=value line. Exit 0 when every message was delivered, 1 when nothing was (an empty source, or Kafka
// refusing everything) or some failed, 2 for a source that cannot be read.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Kafka;
using Broker.Pipeline.Replay;
using Confluent.Kafka;

namespace Broker.Cli.Commands.Pipeline;

internal static class ReplayCommand
{
    public static Command Create()
    {
        var sources = new Argument<string[]>("sources") { Description = "Folders of alert files, .avro files, or ZTF nightly tarballs (ztf_public_YYYYMMDD.tar.gz).", Arity = ArgumentArity.OneOrMore };
        var bootstrap = new Option<string>("--bootstrap") { Description = "Kafka bootstrap servers, host:port[,...].", Required = true };
        var topic = new Option<string>("--topic") { Description = "The topic to produce the alerts into.", Required = true };
        var rate = new Option<double>("--rate") { Description = "Messages per second (0: as fast as Kafka takes them).", DefaultValueFactory = _ => 0 };
        var command = new Command("replay", "Produce recorded alerts (folders, .avro files, ZTF nightly tarballs) into a Kafka topic.") { sources, bootstrap, topic, rate };
        command.SetAction(async (parse, cancel) =>
        {
            var inv = CultureInfo.InvariantCulture;
            List<(string Name, byte[] Bytes)> messages;
            try
            {
                messages = [.. parse.GetValue(sources)!.SelectMany(ReplaySource.Open)];
            }
            catch (Exception e) when (e is ReplaySourceException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }

            if (messages.Count == 0)
            {
                await Console.Error.WriteLineAsync("error: nothing to replay: the sources hold no alert files (*.avro).");
                Console.Out.WriteLine("replay=done messages=0 delivered=0 failed=0");
                return 1;
            }

            var target = parse.GetValue(topic)!;
            var perSecond = parse.GetValue(rate);
            long delivered = 0, failed = 0;
            string? firstError = null;
            using var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = parse.GetValue(bootstrap), LingerMs = 5, MessageMaxBytes = 10_000_000 });
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            for (var i = 0; i < messages.Count && !cancel.IsCancellationRequested; i++)
            {
                if (perSecond > 0 && clock.Elapsed.TotalSeconds < i / perSecond)
                {
                    await Task.Delay(TimeSpan.FromSeconds((i / perSecond) - clock.Elapsed.TotalSeconds), CancellationToken.None);
                }

                var (name, bytes) = messages[i];
                while (true)
                {
                    try
                    {
                        producer.Produce(target, new Message<byte[]?, byte[]> { Value = bytes }, report =>
                        {
                            if (report.Error.IsError)
                            {
                                Interlocked.CompareExchange(ref firstError, $"{name}: {report.Error.Reason}", null);
                                Interlocked.Increment(ref failed);
                            }
                            else
                            {
                                Interlocked.Increment(ref delivered);
                            }
                        });
                        break;
                    }
                    catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(50));
                    }
                }

                if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
                {
                    lastReport = clock.Elapsed;
                    var done = Interlocked.Read(ref delivered);
                    var speed = done / clock.Elapsed.TotalSeconds;
                    var eta = speed > 0 ? (messages.Count - done) / speed : double.NaN;
                    Console.Out.WriteLine(string.Create(inv, $"  {clock.Elapsed.TotalSeconds,5:F0} s  delivered {done,7} of {messages.Count}  {speed,7:F0} msg/s  ETA {eta,5:F0} s"));
                }
            }

            producer.Flush(TimeSpan.FromSeconds(60));
            var seconds = clock.Elapsed.TotalSeconds;
            var undelivered = messages.Count - delivered - failed;
            if (firstError is not null)
            {
                await Console.Error.WriteLineAsync($"error: {failed} messages were not delivered; the first: {firstError}");
            }

            Console.Out.WriteLine(string.Create(inv,
                $"replay=done messages={messages.Count} delivered={delivered} failed={failed + undelivered} seconds={seconds:F1} rate_per_s={delivered / Math.Max(seconds, 1e-3):F0}"));
            return delivered == 0 || failed + undelivered > 0 ? 1 : 0;
        });
        return command;
    }
}
