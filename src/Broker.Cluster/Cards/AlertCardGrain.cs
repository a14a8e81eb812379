// Keeps an alert's card in the "nights" grain storage (a few tens of KB: it lives as long as the night's records).
using Orleans.Runtime;

namespace Broker.Cluster.Cards;

public sealed class AlertCardGrain([PersistentState("card", Nights.NightGrain.Storage)] IPersistentState<AlertCardState> state) : Grain, IAlertCardGrain
{
    public static string Key(string survey, long alertId) => survey + ":" + alertId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task Set(AlertCard card)
    {
        state.State.Card = card;
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    public Task<AlertCard?> Get() => Task.FromResult(state.State.Card);
}

[GenerateSerializer]
public sealed class AlertCardState
{
    [Id(0)]
    public AlertCard? Card { get; set; }
}
