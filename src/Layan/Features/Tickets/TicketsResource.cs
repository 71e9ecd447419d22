namespace Layan.Features.Tickets;

/// <summary>Marker for the tickets feature's strings (TicketsResource.*.resx).</summary>
internal sealed class TicketsResource;
