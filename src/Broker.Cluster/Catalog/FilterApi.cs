// The filter catalog over HTTP on the silo host: GET /api/filters lists, PUT /api/filters/{name} adds or replaces
// (JSON body: where, payload, topic, description, owner), DELETE /api/filters/{name} removes. A bad filter text is a
// 400 with the compiler's message (line and column). Any silo answers; the catalog grain is the one owner. Changes
// pass the WriteGuard (a token unless the silo listens on loopback).
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
        app.MapGet("/api/filters", async () => Results.Json(await catalog.Get().ConfigureAwait(false)));
        app.MapPut("/api/filters/{name}", async (string name, FilterBody body, HttpRequest request) =>
        {
            if (guard.Check(request) is { } refused)
            {
                return refused;
            }

            var change = await catalog.Put(new CatalogFilter(name, body.Where ?? string.Empty, body.Payload ?? "full", body.Topic, body.Description, body.Owner)).ConfigureAwait(false);
            return change.Error is { } error ? Results.BadRequest(new { error }) : Results.Json(new { version = change.Version });
        });
        app.MapDelete("/api/filters/{name}", async (string name, HttpRequest request) =>
            guard.Check(request) ?? (await catalog.Remove(name).ConfigureAwait(false) is { } version
                ? Results.Json(new { version })
                : Results.NotFound(new { error = $"no filter '{name}' in the catalog" })));
    }

    /// <summary>The PUT body.</summary>
    public sealed record FilterBody(string? Where, string? Payload, string? Topic, string? Description, string? Owner);
}
