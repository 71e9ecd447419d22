namespace Layan.Features.Onboarding;

/// <summary>The stable error codes of opening a workspace and reviewing it (docs/api.md).</summary>
internal static class OnboardingErrors
{
    public const string WorkspaceNameRequired = "workspace_name_required";
    public const string WorkspaceNameTooLong = "workspace_name_too_long";
    public const string WorkspaceTypeInvalid = "workspace_type_invalid";
    public const string CountryInvalid = "country_invalid";
    public const string TimeZoneInvalid = "time_zone_invalid";
    public const string LanguageInvalid = "language_invalid";
    public const string PhoneVerificationRequired = "phone_verification_required";
    public const string FileMissing = "file_missing";
    public const string FileTooLarge = "file_too_large";
    public const string FileTypeNotAllowed = "file_type_not_allowed";
    public const string DocumentNotRequired = "document_not_required";
    public const string DocumentKindInvalid = "document_kind_invalid";
    public const string ApplicationLocked = "application_locked";
    public const string DocumentsMissing = "documents_missing";
    public const string ClaimHeld = "claim_held";
    public const string ClaimRequired = "claim_required";
    public const string DecisionInvalid = "decision_invalid";
    public const string ReasonRequired = "reason_required";
    public const string ActivationLinkInvalid = "activation_link_invalid";
    public const string CardInvalid = "card_invalid";
    public const string CardDeclined = "card_declined";
    public const string CardExpired = "card_expired";
    public const string BusinessHoursInvalid = "business_hours_invalid";
    public const string StaffUserNotFound = "staff_user_not_found";
    public const string StaffRoleInvalid = "staff_role_invalid";
    public const string LastOperatorAdmin = "last_operator_admin";
    public const string OwnApplication = "own_application";

    /// <summary>The HTTP status a failure answers with.</summary>
    public static int StatusOf(Infrastructure.Failure failure) => failure.Code switch
    {
        FileTooLarge => StatusCodes.Status413PayloadTooLarge,
        FileTypeNotAllowed => StatusCodes.Status415UnsupportedMediaType,
        ApplicationLocked or ClaimHeld or ClaimRequired or PhoneVerificationRequired or LastOperatorAdmin or OwnApplication => StatusCodes.Status409Conflict,
        CardDeclined or CardExpired => StatusCodes.Status402PaymentRequired,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IReadOnlyList<string> All { get; } =
    [
        WorkspaceNameRequired, WorkspaceNameTooLong, WorkspaceTypeInvalid, CountryInvalid, TimeZoneInvalid, LanguageInvalid,
        PhoneVerificationRequired, FileMissing, FileTooLarge, FileTypeNotAllowed, DocumentNotRequired, DocumentKindInvalid,
        ApplicationLocked, DocumentsMissing, ClaimHeld, ClaimRequired, DecisionInvalid, ReasonRequired, ActivationLinkInvalid,
        CardInvalid, CardDeclined, CardExpired, BusinessHoursInvalid, StaffUserNotFound, StaffRoleInvalid, LastOperatorAdmin, OwnApplication,
    ];
}
