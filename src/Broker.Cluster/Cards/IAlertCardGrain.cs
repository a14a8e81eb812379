// One alert's card (key "ztf:<candid>", "rubin:<diaSourceId>"), written by the silo that published the alert when it
// entered a top novel list, read by the dashboard from any silo.
namespace Broker.Cluster.Cards;

public interface IAlertCardGrain : IGrainWithStringKey
{
    Task Set(AlertCard card);

    Task<AlertCard?> Get();
}
