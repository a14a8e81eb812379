// The engine a configuration file describes, for work without Kafka (replays, `broker filter test`, tests): its
// models, CNN batching and novelty settings, with the configuration's filters in force and, when asked, the filter
// folder's as they are now (a replay does not watch the folder).
using Broker.Engine;
using Broker.Filters;

namespace Broker.Pipeline.Configuration;

public static class ConfiguredEngine
{
    public static AlertEngine Create(PipelineOptions options, bool withFilterFolder = false, EngineServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var engine = AlertEngine.Create(options.Engine(), services);
        try
        {
            var folder = withFilterFolder && options.FilterDirectory is { } dir ? FilterFile.LoadFolder(dir) : [];
            engine.Filters.Replace([.. options.Filters.Select(f => f.Compile()), .. folder]);
            return engine;
        }
        catch
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }
}
