namespace Layan.Infrastructure;

/// <summary>
/// (Public because Razor components, which are public, render it.)
/// An expected failure: a stable machine-readable code (documented in docs/api.md, used by pages
/// and by the help panel to pick articles), the field it concerns, and for limits when to retry.
/// </summary>
public sealed record Failure(string Code, string? Field = null, TimeSpan? RetryAfter = null);

/// <summary>A value or the errors that prevented it. Surprises are exceptions, not results.</summary>
internal readonly record struct Result<T>
{
    private Result(T? value, IReadOnlyList<Failure> errors)
    {
        Value = value;
        Errors = errors;
    }

    public T? Value { get; }

    public IReadOnlyList<Failure> Errors { get; }

    public bool Succeeded => Errors.Count == 0;

    public static implicit operator Result<T>(T value) => new(value, []);

    public static implicit operator Result<T>(Failure error) => new(default, [error]);

    public static Result<T> Failed(IReadOnlyList<Failure> errors) => new(default, errors);

    public static Result<T> From(T value) => new(value, []);
}
