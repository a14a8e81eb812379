// `broker filter add FILE | remove NAME | list` against a running cluster: the subscriptions in the cluster's filter
// catalog grain, which every silo puts in force within about a second. The cluster is found from a configuration
// (--config, its cluster section) or at a gateway (--gateway host:port). Exit 0 done, 1 refused (a bad filter
// text with its line and column; no such filter), 2 when the cluster cannot be reached or the arguments are wrong.
using System.CommandLine;
using System.Globalization;
using Broker.Cluster.Catalog;
using Broker.Cluster.Hosting;
using Broker.Filters;
using Broker.Filters.Language;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;

namespace Broker.Cli.Commands.Filters;

internal static class FilterCatalogCommands
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    public static IEnumerable<Command> Create() => [Add(), Remove(), List()];

    private static (Option<FileInfo?> Config, Option<string?> Gateway) Target() => (
        new Option<FileInfo?>("--config") { Description = "The cluster's configuration (its cluster section says where the silos are)." },
        new Option<string?>("--gateway") { Description = "A silo's gateway, host:port (default: from --config)." });

    private static Command Add()
    {
        var file = new Argument<FileInfo>("file") { Description = "A filter file (name.filter; docs/filters.md)." };
        var (config, gateway) = Target();
        var command = new Command("add", "Add or replace a subscription in the running cluster's filter catalog.") { file, config, gateway };
        command.SetAction((parse, cancel) => WithCatalog(parse.GetValue(config), parse.GetValue(gateway), async catalog =>
        {
            ExpressionFilter compiled;
            try
            {
                compiled = FilterFile.Load(parse.GetValue(file)!.FullName);
            }
            catch (Exception e) when (e is FilterException or FilterDefinitionException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: {parse.GetValue(file)!.Name}: {e.Message}");
                return 1;
            }

            var change = await catalog.Put(CatalogFilter.From(compiled.Definition));
            if (change.Error is { } error)
            {
                await Console.Error.WriteLineAsync($"error: {compiled.Name}: {error}");
                return 1;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"added {compiled.Name}: catalog version {change.Version}"));
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The filter's name." };
        var (config, gateway) = Target();
        var command = new Command("remove", "Remove a subscription from the running cluster's filter catalog.") { name, config, gateway };
        command.SetAction((parse, cancel) => WithCatalog(parse.GetValue(config), parse.GetValue(gateway), async catalog =>
        {
            if (await catalog.Remove(parse.GetValue(name)!) is not { } version)
            {
                await Console.Error.WriteLineAsync($"error: the catalog has no filter '{parse.GetValue(name)}'");
                return 1;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"removed {parse.GetValue(name)}: catalog version {version}"));
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var (config, gateway) = Target();
        var command = new Command("list", "The subscriptions in the running cluster's filter catalog.") { config, gateway };
        command.SetAction((parse, cancel) => WithCatalog(parse.GetValue(config), parse.GetValue(gateway), async catalog =>
        {
            var current = await catalog.Get();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"catalog version {current.Version}: {current.Filters.Length} filters"));
            foreach (var f in current.Filters.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                Console.Out.WriteLine($"  {f.Name} ({f.Payload}{(f.Topic is null ? string.Empty : ", topic " + f.Topic)}{(f.Owner is null ? string.Empty : ", owner " + f.Owner)}): {f.Where.Trim()}");
            }

            return 0;
        }));
        return command;
    }

    private static async Task<int> WithCatalog(FileInfo? config, string? gateway, Func<IFilterCatalogGrain, Task<int>> action)
    {
        if (config is null && gateway is null)
        {
            await Console.Error.WriteLineAsync("error: say where the cluster is: --config FILE (its cluster section) or --gateway host:port.");
            return 2;
        }

        ClusterOptions cluster;
        try
        {
            cluster = config is null ? new ClusterOptions() : BrokerOptions.Load(config.FullName).Cluster;
        }
        catch (PipelineConfigException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        try
        {
            await using var client = await ClusterClient.ConnectAsync(cluster, gateway, ConnectTimeout);
            return await action(client.Grains.GetGrain<IFilterCatalogGrain>(FilterCatalogGrain.Key));
        }
        catch (Exception e) when (e is ClusterUnreachableException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }
}
