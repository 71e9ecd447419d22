namespace Layan.Infrastructure.Localization;

/// <summary>Marker for the strings shared by the layout, common pages and emails (SharedResource.*.resx).</summary>
internal sealed class SharedResource;
