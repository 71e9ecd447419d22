namespace Layan.Features.Inbox;

/// <summary>
/// What other features (tickets) do when something happens in a conversation. Called inside the
/// conversation's own transaction, before it is saved: what a hook adds commits or rolls back with
/// the message that caused it.
/// </summary>
internal interface IConversationHook
{
    /// <summary>A customer started a new inbound conversation.</summary>
    Task StartedAsync(Conversation conversation, Contact contact, string? firstMessage, CancellationToken cancellationToken);

    /// <summary>The customer wrote <paramref name="text"/> again; <paramref name="automatic"/> for auto-replies (out of office), which resume nothing.</summary>
    Task CustomerWroteAsync(Conversation conversation, Contact contact, string? text, bool automatic, CancellationToken cancellationToken);

    /// <summary>Staff answered publicly (not a note).</summary>
    Task AgentRepliedAsync(Conversation conversation, Guid agentId, CancellationToken cancellationToken);
}
