// `broker bench objects`: what object grains cost on one silo (localhost clustering, memory storage): alerts per
// second through Visit + Published (the two calls every alert makes), and memory per active object, measured as
// the managed heap after a full collection with N objects active, minus the heap before, over N. Then the objects
// are deactivated and the heap measured again (what stays per object after they go idle). `--redis host:port`
// stores the state in Redis, written on every Published, as production does.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Cluster.Hosting;
using Broker.Cluster.Objects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Broker.Cli.Commands.Cluster;

internal static class ObjectsBench
{
    public static Command Create()
    {
        var objects = new Option<int>("--objects") { Description = "Distinct objects to activate.", DefaultValueFactory = _ => 20_000 };
        var history = new Option<int>("--history") { Description = "Detections per alert's packet history (ZTF sends up to ~30 days of them).", DefaultValueFactory = _ => 20 };
        var alertsPer = new Option<int>("--alerts-per-object") { Description = "Alerts per object.", DefaultValueFactory = _ => 3 };
        var redis = new Option<string?>("--redis") { Description = "Store object state in this Redis (host:port), written on every Published as in production; default: memory storage." };
        var command = new Command("objects", "Object grains: alerts per second through Visit + Published, and memory per active object.") { objects, history, alertsPer, redis };
        command.SetAction(async (parse, cancel) =>
        {
            var inv = CultureInfo.InvariantCulture;
            var n = parse.GetValue(objects);
            var h = parse.GetValue(history);
            var per = parse.GetValue(alertsPer);
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            var store = parse.GetValue(redis);
            builder.UseOrleans(silo => SiloConfiguration.Apply(silo, new ClusterOptions
            {
                SiloPort = 0,
                GatewayPort = 0,
                Dashboard = false,
                ObjectIdleMinutes = 60,
                Storage = store is null ? "memory" : "redis",
                Redis = store,
                ClusterId = "bench-objects-" + Environment.ProcessId.ToString(inv),
            }));
            using var host = builder.Build();
            await host.StartAsync(cancel);
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var management = grains.GetGrain<IManagementGrain>(0);

            ObjectAlertMessage Alert(int obj, int k)
            {
                var mjd = 61000.0 + k;
                var past = Enumerable.Range(0, h).Select(i => new ObjectDetection(mjd - 0.9 - i, i % 2 == 0 ? "g" : "r", 19f + (0.01f * i), 0.05f, true)).ToArray();
                return new ObjectAlertMessage(((long)obj * 100) + k, new ObjectDetection(mjd, "r", 18.9f, 0.04f, true), past);
            }

            // Warm-up: JIT and the storage grains.
            for (var i = 0; i < 2000; i++)
            {
                var g = grains.GetGrain<IObjectGrain>(ObjectGrain.Key("ztf", "warm" + i.ToString(inv)));
                await g.Visit(Alert(i, 0));
                await g.Published(i * 100L);
            }

            await management.ForceActivationCollection(TimeSpan.Zero, cancel);
            var heapBefore = Heap();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            const int Concurrency = 64;
            var next = -1;
            var total = n * per;
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < total)
                {
                    var obj = i % n;
                    var k = i / n;
                    var g = grains.GetGrain<IObjectGrain>(ObjectGrain.Key("ztf", "ZTF26bench" + obj.ToString(inv)));
                    await g.Visit(Alert(obj, k));
                    await g.Published(((long)obj * 100) + k);
                }
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            var cores = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / seconds;
            var heapActive = Heap();
            await management.ForceActivationCollection(TimeSpan.Zero, cancel);
            await Task.Delay(2000, cancel);
            var heapStored = Heap();
            var perActive = (heapActive - heapBefore) / (double)n;
            var perStored = (heapStored - heapBefore) / (double)n;
            Console.Out.WriteLine(string.Create(inv,
                $"{(store is null ? "memory storage (not written)" : "redis storage at " + store + " (written per Published)")}; {n} objects x {per} alerts, {h} history detections each, {Concurrency} callers: {total / seconds:F0} alerts/s (Visit + Published), {cores:F2} cores, {cores * 1e6 / (total / seconds):F0} us CPU per alert"));
            Console.Out.WriteLine(string.Create(inv,
                $"heap per active object {perActive / 1024:F1} KiB (the activation and its state); after deactivating them {perStored / 1024:F1} KiB per object stays"));
            Console.Out.WriteLine(string.Create(inv,
                $"bench=objects storage={(store is null ? "memory" : "redis")} alerts_per_s={total / seconds:F0} us_cpu_per_alert={cores * 1e6 / (total / seconds):F0} kib_per_active_object={perActive / 1024:F1} kib_per_stored_object={perStored / 1024:F1}"));
            await host.StopAsync(cancel);
            return 0;
        });
        return command;
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
