// The tables shared by both backends (see migrations/postgres and migrations/sqlite).

diesel::table! {
    users (id) {
        id -> BigInt,
        phone -> Text,
        invite_code -> Text,
        invited_by_id -> Nullable<BigInt>,
        is_active -> Bool,
        is_staff -> Bool,
        date_joined -> Timestamp,
        last_login -> Nullable<Timestamp>,
        invited_at -> Nullable<Timestamp>,
        invitee_count -> BigInt,
        is_owner -> Bool,
        display_name -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
        email -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamp>,
        unseen_invitees -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    login_codes (id) {
        id -> BigInt,
        phone -> Text,
        code_hmac -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        attempts -> Integer,
        consumed_at -> Nullable<Timestamp>,
        client_ip -> Text,
        client_net -> Text,
        phone_prefix -> Text,
        code_length -> Integer,
        signed_in -> Bool,
        purpose -> Text,
        user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    check_failures (id) {
        id -> BigInt,
        phone -> Text,
        client_net -> Text,
        code_length -> Nullable<Integer>,
        forgiven -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invite_attempts (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    sign_in_events (id) {
        id -> BigInt,
        phone -> Text,
        user_id -> Nullable<BigInt>,
        ip -> Text,
        outcome -> Text,
        created_at -> Timestamp,
        region -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        actor_label -> Text,
        action -> Text,
        target_id -> Nullable<BigInt>,
        target_label -> Text,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sms_messages (id) {
        id -> BigInt,
        phone -> Text,
        body -> Binary,
        expires_at -> Timestamp,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        provider -> Nullable<Text>,
        provider_message_id -> Nullable<Text>,
        last_error -> Nullable<Text>,
        idempotency_key -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        channel -> Text,
    }
}

diesel::table! {
    email_verifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        email -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(invite_attempts -> users (user_id));
diesel::table! {
    /// Codes issued per minute for a number block (`scope` = its prefix) or the whole service
    /// (`scope` = "all", spread over `shard`s).
    code_counts (scope, minute, shard) {
        scope -> Text,
        minute -> Timestamp,
        shard -> SmallInt,
        codes -> Integer,
    }
}

diesel::table! {
    /// Look-ups of invite links whose code no account has, by the client's network.
    invite_link_misses (id) {
        id -> BigInt,
        client_net -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Each entry of a code: who entered whose, when, and from which client network.
    invite_entries (user_id) {
        user_id -> BigInt,
        inviter_id -> BigInt,
        client_net -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(invite_entries -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    login_codes,
    check_failures,
    invite_attempts,
    api_tokens,
    sign_in_events,
    audit_log,
    sms_messages,
    email_verifications,
    code_counts,
    invite_link_misses,
    invite_entries
);
