namespace Layan.Features.Inbox;

/// <summary>Marker for the inbox's strings: pages, error messages, emails, the widget (InboxResource.*.resx).</summary>
internal sealed class InboxResource;
