namespace Layan.Features.Channels;

/// <summary>Marker for the channels feature's strings (ChannelsResource.*.resx).</summary>
internal sealed class ChannelsResource;
