// The pipeline's Kafka client settings that bound memory: the producer's undelivered-output queue.
using Broker.Pipeline.Configuration;
using Broker.Pipeline.Kafka;

namespace Broker.Pipeline.Tests;

public sealed class KafkaSettingsTests
{
    [Fact]
    public void Undelivered_outputs_are_bounded_below_librdkafkas_gibibyte()
    {
        var config = KafkaSettings.Producer(new PipelineOptions());

        Assert.Equal(KafkaSettings.OutputQueueKbytes, config.QueueBufferingMaxKbytes);
        Assert.True(config.QueueBufferingMaxKbytes < 1024 * 1024);
    }

    [Fact]
    public void An_operators_queue_setting_wins()
    {
        var options = new PipelineOptions
        {
            Kafka = new KafkaOptions { Settings = new Dictionary<string, string> { ["queue.buffering.max.kbytes"] = "4096" } },
        };

        Assert.Equal(4096, KafkaSettings.Producer(options).QueueBufferingMaxKbytes);
    }
}
