namespace Layan.Features.Accounts;

/// <summary>
/// The stable error codes of accounts (docs/api.md). Pages and the API use the same codes; the
/// help panel (HLP-3) keys its articles on them. A code never changes meaning once published.
/// </summary>
internal static class AccountErrors
{
    public const string ValidationFailed = "validation_failed";
    public const string FullNameRequired = "full_name_required";
    public const string FullNameTooLong = "full_name_too_long";
    public const string EmailInvalid = "email_invalid";
    public const string LanguageInvalid = "language_invalid";
    public const string PhoneInvalid = "phone_invalid";
    public const string TermsRequired = "terms_required";
    public const string CodeInvalid = "code_invalid";
    public const string CodeExpired = "code_expired";
    public const string CodeAttemptsExceeded = "code_attempts_exceeded";
    public const string ResendTooSoon = "resend_too_soon";
    public const string ResendLimitReached = "resend_limit_reached";
    public const string CredentialsInvalid = "credentials_invalid";
    public const string EmailNotVerified = "email_not_verified";
    public const string ResetLinkInvalid = "reset_link_invalid";
    public const string AvatarMissing = "avatar_missing";
    public const string AvatarTooLarge = "avatar_too_large";
    public const string AvatarTypeInvalid = "avatar_type_invalid";
    public const string TwoFactorCodeInvalid = "two_factor_code_invalid";
    public const string TwoFactorExpired = "two_factor_expired";
    public const string TwoFactorMethodInvalid = "two_factor_method_invalid";
    public const string PhoneNotPending = "phone_not_pending";
    public const string PasskeyInvalid = "passkey_invalid";
    public const string PasskeyNameInvalid = "passkey_name_invalid";

    /// <summary>The HTTP status a failure answers with (docs/api.md lists it per code).</summary>
    public static int StatusOf(Infrastructure.Failure failure) => failure switch
    {
        { RetryAfter: not null } => StatusCodes.Status429TooManyRequests,
        { Code: CredentialsInvalid or TwoFactorCodeInvalid or TwoFactorExpired } => StatusCodes.Status401Unauthorized,
        { Code: EmailNotVerified } => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>Every code, for the documentation test and the help panel.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ValidationFailed, FullNameRequired, FullNameTooLong, EmailInvalid, LanguageInvalid, PhoneInvalid, TermsRequired,
        PasswordPolicy.TooShort, PasswordPolicy.TooLong, PasswordPolicy.Common, PasswordPolicy.Personal, PasswordPolicy.TooWeak,
        CodeInvalid, CodeExpired, CodeAttemptsExceeded, ResendTooSoon, ResendLimitReached, CredentialsInvalid, EmailNotVerified,
        ResetLinkInvalid, AvatarMissing, AvatarTooLarge, AvatarTypeInvalid, TwoFactorCodeInvalid, TwoFactorExpired,
        TwoFactorMethodInvalid, PhoneNotPending, PasskeyInvalid, PasskeyNameInvalid,
    ];
}
