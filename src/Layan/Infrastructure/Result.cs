namespace Layan.Infrastructure;

/// <summary>
/// An expected failure: a stable machine-readable code (documented in docs/api.md, used by pages
/// and by the help panel to pick articles), the field it concerns, and for limits when to retry.
/// </summary>
internal sealed record Error(string Code, string? Field = null, TimeSpan? RetryAfter = null);

/// <summary>A value or the errors that prevented it. Surprises are exceptions, not results.</summary>
internal readonly record struct Result<T>
{
    private Result(T? value, IReadOnlyList<Error> errors)
    {
        Value = value;
        Errors = errors;
    }

    public T? Value { get; }

    public IReadOnlyList<Error> Errors { get; }

    public bool Succeeded => Errors.Count == 0;

    public static implicit operator Result<T>(T value) => new(value, []);

    public static implicit operator Result<T>(Error error) => new(default, [error]);

    public static Result<T> Failed(IReadOnlyList<Error> errors) => new(default, errors);
}
