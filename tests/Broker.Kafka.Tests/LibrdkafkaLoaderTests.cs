using Broker.Kafka.Native;

namespace Broker.Kafka.Tests;

public sealed class LibrdkafkaLoaderTests
{
    [Fact]
    public void Debian_librdkafka_loads()
    {
        Assert.NotEqual(IntPtr.Zero, LibrdkafkaLoader.EnsureLoaded());
        Assert.StartsWith("2.", Embedded.EmbeddedKafkaCluster.LibrdkafkaVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void Confluent_client_uses_the_resolved_library()
    {
        LibrdkafkaLoader.EnsureLoaded();
        Assert.Equal(0x020002ff, Confluent.Kafka.Library.Version);
    }

    [Fact]
    public void A_missing_library_gives_a_message_naming_the_fix()
    {
        var candidates = LibrdkafkaLoader.Candidates("/nonexistent/librdkafka.so.1");
        Assert.False(LibrdkafkaLoader.TryLoadAny(candidates, out var handle, out var errors));
        Assert.Equal(IntPtr.Zero, handle);
        var message = LibrdkafkaLoader.DescribeMissing(candidates, errors);
        Assert.Contains("apt-get install librdkafka1", message, StringComparison.Ordinal);
        Assert.Contains("./scripts/setup.sh", message, StringComparison.Ordinal);
        Assert.Contains(LibrdkafkaLoader.PathVariable, message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/librdkafka.so.1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_library_is_reported()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not an ELF file");
            Assert.False(LibrdkafkaLoader.TryLoadAny([path], out _, out var errors));
            Assert.Contains(path, Assert.Single(errors), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void No_override_means_the_debian_names()
    {
        Assert.Equal(LibrdkafkaLoader.DefaultCandidates, LibrdkafkaLoader.Candidates(null));
        Assert.Equal(LibrdkafkaLoader.DefaultCandidates, LibrdkafkaLoader.Candidates("  "));
    }
}
