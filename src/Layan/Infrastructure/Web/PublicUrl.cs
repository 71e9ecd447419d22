namespace Layan.Infrastructure.Web;

/// <summary>
/// Section <c>Web</c>: the address people reach Layan at. Every link Layan writes into an email
/// (verification, reset, invitations) is built from it, never from the request's Host header,
/// which a client controls.
/// </summary>
internal sealed class PublicUrlOptions
{
    public const string Section = "Web";

    public Uri PublicUrl { get; set; } = new("http://localhost:5000/");

    /// <summary>An absolute link to <paramref name="path"/> on this installation.</summary>
    public string Link(string path) => new Uri(PublicUrl, path.TrimStart('/')).ToString();
}
