// The filter catalog over HTTP on the silo host: GET /api/filters lists, PUT /api/filters/{name} adds or replaces
// (JSON body: where, payload, topic, description, owner), DELETE /api/filters/{name} removes. A bad filter text is a
// 400 problem (RFC 9457) with the compiler's message (line and column). Any silo answers; the catalog grain is the one owner. Changes
// pass the WriteGuard (a token unless the silo listens on loopback), checked before a byte of the body is read, and
// a body is at most MaxBodyBytes (a filter is a few hundred bytes): an unauthenticated or oversized request costs the
// silo its headers, not a 10 MB read.
using Broker.Cluster.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Broker.Cluster.Catalog;

public static class FilterApi
{
    public static void Map(WebApplication app, IGrainFactory grains, Hosting.WriteGuard guard)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(guard);
        var catalog = grains.GetGrain<IFilterCatalogGrain>(FilterCatalogGrain.Key);
        app.Use(async (context, next) =>
        {
            if (IsChange(context.Request))
            {
                // The one guard of every change, before the endpoint binds its body: refused requests are answered
                // from their headers alone (a client sending Expect: 100-continue never sends the body).
                if (guard.Check(context.Request) is { } refused)
                {
                    await refused.ExecuteAsync(context).ConfigureAwait(false);
                    return;
                }

                if (!await Hosting.RequestBodyLimit.ApplyAsync(context, MaxBodyBytes, "a filter change").ConfigureAwait(false))
                {
                    return;
                }
            }

            await next(context).ConfigureAwait(false);
        });
        var filters = app.MapGroup("/api/filters");
        filters.MapGet("/", async () => Results.Json(await catalog.Get().ConfigureAwait(false), ApiJson.Default.FilterCatalogMessage));
        filters.MapPut("/{name}", async (string name, FilterBody body) =>
        {
            var change = await catalog.Put(new CatalogFilter(name, body.Where ?? string.Empty, body.Payload ?? "full", body.Topic, body.Description, body.Owner)).ConfigureAwait(false);
            return change.Error is { } error
                ? ApiProblem.Of(StatusCodes.Status400BadRequest, "filter refused", error)
                : Results.Json(new CatalogVersion(change.Version), ApiJson.Default.CatalogVersion);
        });
        filters.MapDelete("/{name}", async (string name) =>
            await catalog.Remove(name).ConfigureAwait(false) is { } version
                ? Results.Json(new CatalogVersion(version), ApiJson.Default.CatalogVersion)
                : ApiProblem.Of(StatusCodes.Status404NotFound, "no such filter", $"no filter '{name}' in the catalog"));
    }

    /// <summary>The largest body a filter change may have.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private static bool IsChange(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        && request.Path.StartsWithSegments("/api/filters", StringComparison.Ordinal);

    /// <summary>The PUT body.</summary>
    public sealed record FilterBody(string? Where, string? Payload, string? Topic, string? Description, string? Owner);
}
