namespace Layan.Features.DevMail;

/// <summary>Marker for the developer mailbox's strings (DevMailResource.*.resx).</summary>
internal sealed class DevMailResource;
