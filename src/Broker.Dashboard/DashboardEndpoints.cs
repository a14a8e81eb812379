// The dashboard on a silo's HTTP host: the page and its script and style (embedded: no CDN, nothing fetched from
// anywhere but this host), /api/now and its live stream /api/live (server-sent events, one JSON document a second),
// alert cards with their cutout PNGs, and an object's light curve from its object grain.
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Broker.Cluster.Cards;
using Broker.Cluster.Hosting;
using Broker.Cluster.Objects;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Broker.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>How long a night's built map is served before it is built again from the grain's sample.</summary>
    public const int MapRefreshMs = 5000;

    /// <summary>Maps the dashboard at / on the silo's host.</summary>
    public static void Map(WebApplication app, SiloEndpointContext silo)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(silo);
        app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        app.MapGet("/static/{name}", (string name) => name switch
        {
            "dashboard.js" => Asset(name, "text/javascript; charset=utf-8"),
            "dashboard.css" => Asset(name, "text/css; charset=utf-8"),
            _ => Results.NotFound(),
        });
        app.MapGet("/api/now", async () => Results.Json(await ClusterNow.ReadAsync(silo.Grains, silo.Membership).ConfigureAwait(false), DashboardJson.Default.NowDocument));
        app.MapGet("/api/live", async (HttpContext context) =>
        {
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var stop = context.RequestAborted;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                var now = await ClusterNow.ReadAsync(silo.Grains, silo.Membership).ConfigureAwait(false);
                await context.Response.WriteAsync("data: " + JsonSerializer.Serialize(now, DashboardJson.Default.NowDocument) + "\n\n", stop).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(stop).ConfigureAwait(false);
            }
            while (await Tick(timer, stop).ConfigureAwait(false));
        });
        app.MapGet("/api/alerts/{survey}/{id:long}", async (string survey, long id) =>
            await silo.Grains.GetGrain<IAlertCardGrain>(AlertCardGrain.Key(survey, id)).Get().ConfigureAwait(false) is { } card
                ? Results.Json(CardDocument.Of(card), DashboardJson.Default.CardDocument)
                : ApiProblem.Of(StatusCodes.Status404NotFound, "no such card", $"no card for {survey} alert {id} (cards are kept for alerts in a night's top novel list)"));
        app.MapGet("/api/alerts/{survey}/{id:long}/{kind}.png", async (string survey, long id, string kind) =>
        {
            var card = await silo.Grains.GetGrain<IAlertCardGrain>(AlertCardGrain.Key(survey, id)).Get().ConfigureAwait(false);
            var png = kind switch
            {
                "science" => card?.Science,
                "template" => card?.Template,
                "difference" => card?.Difference,
                _ => null,
            };
            return png is null ? Results.NotFound() : Results.Bytes(png, "image/png");
        });
        app.MapGet("/api/subscriptions/last-matches", () =>
        {
            // The latest matches of each filter among the alerts this silo published most recently.
            var last = new Dictionary<string, List<RecentMatch>>(StringComparer.Ordinal);
            foreach (var (alert, annotation) in silo.Recent.Latest(silo.Recent.Capacity))
            {
                foreach (var name in annotation.Filters)
                {
                    if (!last.TryGetValue(name, out var list))
                    {
                        last[name] = list = [];
                    }

                    if (list.Count < 5)
                    {
                        list.Add(new RecentMatch(Broker.Engine.Annotation.AnnotationEncoder.SurveyName(alert.Survey), alert.AlertId.ToString(CultureInfo.InvariantCulture),
                            alert.ObjectId, alert.Band, Math.Round(alert.Mag, 2), annotation.IngestTimeMs));
                    }
                }
            }

            return Results.Json(last, DashboardJson.Default.DictionaryStringListRecentMatch);
        });
        // The map's projection costs tens of milliseconds over 2,000 points, and once a night's sample is full it
        // changes slowly: a map is built again when its sample grew, else at most every few seconds, whatever the
        // number of open dashboards.
        var maps = new System.Collections.Concurrent.ConcurrentDictionary<string, (long BuiltMs, int Points, MapDocument Map)>(StringComparer.Ordinal);
        app.MapGet("/api/map/{survey}/{night}", async (string survey, string night) =>
        {
            var key = survey + ":" + night;
            var sample = await silo.Grains.GetGrain<Broker.Cluster.Nights.INightGrain>(key).MapSample().ConfigureAwait(false);
            var now = Environment.TickCount64;
            if (maps.TryGetValue(key, out var cached) && cached.Points == sample.Count && now - cached.BuiltMs < MapRefreshMs)
            {
                return Results.Json(cached.Map, DashboardJson.Default.MapDocument);
            }

            var map = NightMap.Build(sample);
            maps[key] = (now, sample.Count, map);
            return Results.Json(map, DashboardJson.Default.MapDocument);
        });
        // The playground's bodies are a filter text: at most 64 KiB read, a larger declared length refused unread.
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/api/playground", StringComparison.Ordinal))
            {
                if (!await RequestBodyLimit.ApplyAsync(context, PlaygroundMaxBytes, "a playground request").ConfigureAwait(false))
                {
                    return;
                }
            }

            await next(context).ConfigureAwait(false);
        });
        app.MapPost("/api/playground", (PlaygroundRequest body) =>
        {
            var (status, result) = FilterPlayground.Evaluate(body.Where ?? string.Empty, silo.Recent, body.Limit ?? 100);
            return Results.Json(result, result.GetType(), DashboardJson.Default, statusCode: status);
        });
        app.MapPost("/api/playground/night", (PlaygroundNightRequest body) =>
        {
            var (status, result) = FilterPlayground.TryNight(body.Where ?? string.Empty, silo.ArchiveRoot, body.Survey, body.Night);
            return Results.Json(result, result.GetType(), DashboardJson.Default, statusCode: status);
        });
        app.MapGet("/api/objects/{survey}/{objectId}", async (string survey, string objectId) =>
        {
            var detections = await silo.Grains.GetGrain<IObjectGrain>(ObjectGrain.Key(survey, objectId)).Detections().ConfigureAwait(false);
            return Results.Json([.. detections.Select(d => new LightCurvePoint(d.Mjd, d.Band, d.Mag, d.MagErr))], DashboardJson.Default.ListLightCurvePoint);
        });
    }

    private const int PlaygroundMaxBytes = 64 * 1024;

    /// <summary>The playground's request: a filter text and how many of the latest alerts to try it on.</summary>
    public sealed record PlaygroundRequest(string? Where, int? Limit);

    /// <summary>The playground's "last night" request: a filter text, and optionally which archived night (default the latest).</summary>
    public sealed record PlaygroundNightRequest(string? Where, string? Survey, string? Night);

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static IResult Asset(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("wwwroot/" + name)
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Results.Bytes(copy.ToArray(), contentType);
    }
}
