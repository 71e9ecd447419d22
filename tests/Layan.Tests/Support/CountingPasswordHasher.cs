using Layan.Features.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Layan.Tests.Support;

/// <summary>The real hasher, counting how often a hash is checked: equal work, measured without a stopwatch.</summary>
internal sealed class CountingPasswordHasher(PasswordHasher<User> inner) : IPasswordHasher<User>
{
    private int _verifications;

    public int Verifications => _verifications;

    public string HashPassword(User user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}
