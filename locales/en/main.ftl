# user-auth — English

app-name = user-auth
nav-sign-out = Sign out
nav-language = Language
skip-to-content = Skip to content
error-summary-title = There is a problem

## Phone form
login-title = Sign in
login-intro = Enter your phone number. We will text you a code to sign in; if you are new, this creates your account.
login-phone-label = Phone number
login-phone-hint = Include the country code, for example { $example }
login-phone-hint-national = For example { $example }
login-submit = Send code
phone-error-empty = Enter your phone number.
phone-error-characters = A phone number may contain only digits, spaces, dashes, brackets and a leading +.
phone-error-too-long = That is too long for a phone number.
phone-error-needs-plus = Start the number with + and the country code, for example +998.
phone-error-invalid = That is not a valid phone number. Check the country code and the digits.
phone-error-type = This number cannot receive text messages. Enter a mobile number.
phone-error-region = We do not send codes to numbers of this country.

## Code form
code-title = Enter the code
code-sent-to = We sent a code to { $phone }.
code-change-number = Use a different number
code-label = Code
code-hint = The digits from the text message
code-submit = Sign in
code-resend = Send a new code
code-resend-wait = { $seconds ->
    [one] You can ask for a new code in { $seconds } second.
   *[other] You can ask for a new code in { $seconds } seconds.
}
code-resent = We sent you a new code.
code-error-empty = Enter the code from the text message.
code-error-format = A code has { $min } to { $max } digits.
code-wrong = { $left ->
    [one] That code is not right. You have { $left } more try.
   *[other] That code is not right. You have { $left } more tries.
}
code-need-new = This code can no longer be used. Ask for a new code.
code-expired = This code has expired. Ask for a new code.
code-cooldown = We just sent you a code. { $retry }
code-limit-phone = Too many codes were sent to this number. { $retry }
code-limit-ip = Too many codes were requested from your network. { $retry }
code-limit-prefix = Too many codes were sent to numbers like this one. { $retry }
code-limit-total = We cannot send more codes right now. { $retry }
code-wrong-limit-ip = Too many wrong codes were entered from your network. { $retry }
login-locked = Too many wrong codes for this number from your network. { $retry }
login-blocked = This account is blocked. Contact support if you think this is a mistake.
retry-in-seconds = { $seconds ->
    [one] Try again in { $seconds } second.
   *[other] Try again in { $seconds } seconds.
}
retry-in-minutes = { $minutes ->
    [one] Try again in { $minutes } minute.
   *[other] Try again in { $minutes } minutes.
}

## Text message
sms-text = Your user-auth code: { $code }. It expires in { $minutes } minutes. Do not share it.

## Profile
profile-title = Your profile
profile-phone = Phone
profile-invite-code = Your invite code
profile-joined = Joined

## Invite codes
profile-invite-explain = Share this code with friends. When someone enters it in their profile, they appear in the list below.
profile-copy = Copy
profile-copied = Copied
profile-invite-link = Your invite link
profile-invite-link-explain = Whoever opens it can sign in and accept your invitation in one step.
profile-share = Share
profile-share-title = Join me
profile-link-copied = Link copied
profile-qr-label = QR code of your invite link
profile-print = Print the QR code
print-title = Invite link to print
print-explain = Scan the code with a phone's camera, or open the link:
profile-entered-title = Your invitation
profile-entered-code = You joined with the code
profile-entered-final = An entered code cannot be changed.
invite-form-label = Invite code
invite-form-hint = 6 characters, for example 7K3-M9Q. You can enter a code once, and it cannot be changed afterwards.
invite-form-submit = Enter code
invite-entered = Code entered. Thank you for joining!
invite-error-empty = Enter an invite code.
invite-error-too-long = That is too long for an invite code.
invite-error-characters = An invite code has only the letters A–Z (without I, L, O and U) and digits.
invite-error-length = An invite code has 6 characters.
invite-error-unknown = There is no account with this invite code. Check it and try again.
invite-error-own = This is your own invite code. Enter the code of the person who invited you.
invite-error-cycle = You cannot enter this code: its owner joined through you.
invite-error-already = You have already entered an invite code. It cannot be changed.
invite-error-rate = Too many tries. { $retry }
invite-error-full = This code has been entered by as many people as one code can take. Ask for another person's code.
invitation-page-title = An invitation
invitation-heading = { $inviter } invites you
invitation-explain = To join, sign in with your phone number. You will appear among the people who joined with this invitation. You can accept one invitation, once.
invitation-accept-explain = You will appear among the people who joined with this invitation. You can accept one invitation, once: it cannot be changed afterwards.
invitation-code = Invite code { $code }
invitation-sign-in = Sign in to accept
invitation-accept-question = Accept the invitation of { $inviter }?
invitation-accept = Accept
invitation-decline = Not now
invitation-own = This is your own invite link. Share it with the people you want to invite.
invitation-entered = You have already accepted an invitation (code { $code }). It cannot be changed.
invitation-entered-no-code = You have already accepted an invitation. It cannot be changed.
invitation-unknown = This invite link does not lead to anyone. Check it with the person who sent it, or sign in and enter their code in your profile.
invitation-rate = Too many invite links that lead to no one were opened from your network. { $retry }
invitation-to-profile = Go to your profile
invite-new-code-title = Get a new code
invite-new-code-explain = Your current code, its link and its QR code stop working for anyone new; the people who joined with it stay.
invite-new-code-submit = Replace my code
invite-new-code-done = You have a new invite code and link. The old ones no longer work.
invite-new-code-rate = You have replaced your code as many times as a day allows. { $retry }
admin-audit-action-new-invite-code = got a new invite code
login-invitation = Sign in, then accept the invitation with code { $code }.
profile-invitees-title = People who joined with your code
profile-invitees-count = { $count ->
    [0] No one has joined with your code yet.
    [one] { $shown } person joined with your code.
   *[other] { $shown } people joined with your code.
}
profile-invitees-new = { $shown } new
profile-invitee-new = new
profile-invitees-pages = Pages of people who joined
profile-newer = ← Newer
profile-older = Older →

## Error pages
error-back-home = Go to the start page
error-400-title = Bad request
error-400-text = The request could not be understood. Go back and try again.
error-403-title = Not allowed
error-403-text = The form expired or came from somewhere else. Go back, reload the page and try again.
error-404-title = Page not found
error-404-text = There is no page at this address.
error-405-title = Not allowed
error-405-text = This address does not accept that kind of request.
error-413-title = Too large
error-413-text = What you sent is too large.
error-429-title = Too many requests
error-429-text = You have made too many requests. { $retry }
error-429-text-plain = You have made too many requests. Please wait a little and try again.
error-500-title = Something went wrong
error-500-text = An unexpected error happened on our side. Please try again later.
error-503-title = Temporarily unavailable
error-503-text = The service is temporarily unavailable. Please try again in a minute.

## API problems
problem-title-400 = Bad request
problem-title-401 = Unauthorized
problem-title-403 = Forbidden
problem-title-404 = Not found
problem-title-405 = Method not allowed
problem-title-409 = Conflict
problem-title-413 = Payload too large
problem-title-415 = Unsupported media type
problem-title-422 = Unprocessable content
problem-title-429 = Too many requests
problem-title-500 = Internal server error
problem-title-503 = Service unavailable
problem-unauthorized = Send a valid token as "Authorization: Bearer <token>". Get one from POST /api/v1/auth/token.
problem-forbidden = This is not allowed.
problem-payload-too-large = The request body is too large.
problem-malformed-json = The request body is not valid JSON.
problem-invalid-body = The JSON does not have the expected fields and types: { $reason }
problem-invalid-query = The query string is not valid: { $reason }
problem-unsupported-media-type = Send the request body as application/json.
problem-resend-too-soon = A code was sent moments ago. { $retry }
problem-limit-out-of-range = The limit must be from { $min } to { $max }.
problem-invalid-cursor = The cursor is not valid. Use the next_cursor of a previous page.

## Administration
nav-admin = Admin
admin-nav-label = Administration
admin-nav-dashboard = Dashboard
admin-nav-users = Users
admin-nav-audit = Audit log
admin-dashboard-title = Dashboard
admin-figures = Figures
admin-total-users = Users in total
admin-new-today = New today
admin-new-7-days = New in 7 days
admin-new-30-days = New in 30 days
admin-sign-ins-24h = Sign-ins in 24 hours
admin-codes-sent-24h = Codes sent in 24 hours
admin-failed-24h = Failed verifications in 24 hours
admin-locked-now = Numbers locked for a network now
admin-entered-share = Entered an invite code
admin-texts-title = Text messages
admin-texts-hour = Codes sent in the last hour:
admin-texts-of = { $sent } of { $budget }
admin-texts-budget-reached = The hourly budget of text messages is spent ({ $sent } of { $budget }): code requests are refused until it frees up.
admin-texts-prefix-reached = Numbers starting { $prefix } reached their hourly budget ({ $sent } of { $budget }): their code requests are refused.
admin-by-region-title = The last 24 hours by country
admin-by-region-empty = No codes were sent in the last 24 hours.
admin-region = Country
admin-region-unknown = unknown
admin-codes-sent = Codes sent
admin-sign-ins = Sign-ins
admin-completion = Completed
admin-chart-title = New users per day, last 30 days
admin-chart-desc = Bar chart of new accounts per day over the last 30 days, { $total } in all. The table below has the same numbers.
admin-chart-table = The numbers as a table
admin-day = Day
admin-new-accounts = New accounts
admin-top-inviters = Top 10 inviters
admin-no-inviters = No one has used an invite code yet.
admin-users-title = Users
admin-search-label = Phone or invite code
admin-search-hint = Any part of a phone number, or a whole invite code.
admin-search-submit = Search
admin-filter-any = Any
admin-filter-staff = Staff
admin-filter-blocked = Blocked
admin-filter-entered = Entered a code
admin-staff-yes = Staff only
admin-staff-no = Not staff
admin-blocked-yes = Blocked only
admin-blocked-no = Not blocked
admin-entered-yes = Entered a code
admin-entered-no = Did not enter a code
admin-sort-label = Sort by
admin-sort-joined = Newest first
admin-sort-invitees = Most invitees first
admin-users-found = { $count ->
    [one] { $shown } user found.
   *[other] { $shown } users found.
}
admin-export-csv = Download as CSV
admin-pages = Pages
admin-prev = ← Previous
admin-next = Next →
admin-first = ← Newest
admin-field-id = ID
admin-field-phone = Phone
admin-field-invite-code = Invite code
admin-field-active = Active
admin-field-staff = Staff
admin-field-owner = Owner
admin-field-joined = Joined
admin-field-last-login = Last sign-in
admin-field-entered-at = Entered a code on
admin-field-invitees = Invitees
admin-field-invited-by = Invited by
admin-field-status = Status
admin-badge-staff = staff
admin-badge-blocked = blocked
admin-badge-entered = invited
admin-yes = yes
admin-no = no
admin-person-details = Details
admin-actions = Actions
admin-recent-sign-ins = Sign-in attempts
admin-no-events = No sign-in attempts yet.
admin-events-show = Show
admin-when = When (UTC)
admin-ip = IP address
admin-outcome = Outcome
admin-outcome-code-sent = code sent
admin-outcome-code-refused = code refused (limit or lock)
admin-outcome-signed-in = signed in
admin-outcome-wrong-code = wrong code
admin-outcome-code-dead = code no longer usable
admin-outcome-code-expired = code expired
admin-outcome-locked = locked
admin-outcome-blocked = account blocked
admin-action-block = Block
admin-action-unblock = Unblock
admin-action-grant-staff = Make staff
admin-action-revoke-staff = Remove staff rights
admin-action-sign-out-everywhere = Sign out everywhere
admin-confirm-block = Block { $phone }? They are signed out at once, their API tokens stop working, and they cannot sign in until unblocked.
admin-confirm-unblock = Unblock { $phone }? They can sign in again.
admin-confirm-grant-staff = Make { $phone } staff? They get access to this administration.
admin-confirm-revoke-staff = Remove staff rights from { $phone }?
admin-confirm-sign-out-everywhere = Sign { $phone } out on every device? Their sessions and API tokens stop working at once.
admin-cancel = Cancel
admin-done-block = Blocked. Their sessions and tokens have ended.
admin-done-unblock = Unblocked.
admin-done-grant-staff = They are staff now.
admin-done-revoke-staff = Staff rights removed.
admin-done-sign-out-everywhere = Signed out everywhere.
admin-audit-title = Audit log
admin-audit-actor = Who
admin-audit-action = What
admin-audit-target = On whom
admin-audit-empty = Nothing has been done yet.
admin-audit-all = Show everything
admin-audit-by = Actions by user { $id }.
admin-audit-on = Actions on user { $id }.
admin-audit-on-person = Actions on this person
admin-audit-by-person = Actions by this person
admin-audit-command-line = command line
admin-audit-action-block = blocked
admin-audit-action-unblock = unblocked
admin-audit-action-grant-staff = made staff
admin-audit-action-revoke-staff = removed staff rights
admin-audit-action-sign-out-everywhere = signed out everywhere
admin-audit-action-grant-owner = made owner
admin-audit-action-revoke-owner = removed the owner role
admin-tree-title = Invite tree
admin-tree-up-title = Up the chain
admin-tree-up-none = Joined without anyone's code.
admin-tree-up = { $depth }. { $phone } ({ $count ->
    [one] { $shown } invitee
   *[other] { $shown } invitees
})
admin-tree-down-title = Down
admin-tree-down = Level { $depth }: { $shown }
admin-tree-bunch-network = Flagged: { $count } invitees within an hour from network { $key } (from { $from }).
admin-tree-bunch-prefix = Flagged: { $count } invitees within an hour with numbers starting { $key } (from { $from }).
admin-invitees-title = People who joined with their code
admin-invitees-count = { $count ->
    [0] No one has joined with their code.
    [one] { $shown } person joined with their code.
   *[other] { $shown } people joined with their code.
}

# the outbox page
admin-nav-outbox = Outbox
admin-outbox-title = Text messages
admin-outbox-last-hour = Written in the last hour
admin-outbox-last-day = Written in the last 24 hours
admin-outbox-oldest = The oldest message not yet sent has waited { $seconds } s.
admin-outbox-none-waiting = No message is waiting to be sent.
admin-outbox-empty = No messages.
admin-outbox-messages = Messages
admin-outbox-state = State
admin-outbox-provider = Provider
admin-outbox-attempts = Tries
admin-outbox-sent = Sent
admin-outbox-error = Last error
admin-outbox-retry = Send again
admin-outbox-retried = The message is queued again.
admin-outbox-not-retryable = That message cannot be sent again: its code can no longer be used.
admin-outbox-state-pending = waiting
admin-outbox-state-sending = sending
admin-outbox-state-sent = sent
admin-outbox-state-delivered = delivered
admin-outbox-state-failed = failed
admin-outbox-state-expired = expired
admin-audit-action-retry-message = sent a text again

# test numbers
admin-field-test-number = Test number
admin-test-number-until = yes: signs in with a fixed code, never sent, until { $date }

# display names
profile-name = Name
profile-name-none = not set
profile-name-label = Your name
profile-name-hint = Up to 64 characters. Leave it empty to remove your name.
profile-name-save = Save name
name-saved = Your name is saved.
name-error-too-long = A name can have at most { $max } characters.
name-error-invisible = A name cannot contain control or invisible characters.
admin-field-name = Name

# where you are signed in
devices-title = Where you are signed in
devices-explain = Every browser and app signed in to your account. Sign out any you do not recognise.
devices-browser-on = { $browser } on { $system }
devices-unknown = Unknown browser
devices-kind-session = web
devices-kind-token = app (API)
devices-this = this device
devices-since = Signed in
devices-last-seen = last seen
devices-end = Sign out
devices-end-others = Sign out everywhere else
devices-ended = Signed out.
devices-back = Back to your profile
profile-devices-link = Where you are signed in
profile-export-link = Download my data

# changing the number
profile-phone-link = Change number
phone-change-title = Change your number
phone-change-intro = Your account keeps everything: your invite code, the code you entered and the people who joined with yours. We send a code to the new number to make sure it is yours, and tell your old number about the change.
phone-change-label = New phone number
phone-change-send = Send a code to the new number
phone-change-confirm = Change my number
phone-changed = Your number is changed. We told your old number.
phone-change-same = That is your number already.
phone-change-taken = This number belongs to another account. Sign in with it, or delete that account first.
sms-change-phone-text = Your user-auth code to move your account to this number: { $code }. It expires in { $minutes } minutes. Do not share it.
sms-phone-changed = Your user-auth account moved to a number ending in { $ending }. If you did not do this, contact support.
sms-invitee-joined = Someone joined user-auth with your invite code. See who on your profile.

# deleting the account
profile-delete-link = Delete my account
delete-title = Delete your account
delete-intro = Deleting your account cannot be undone. We send a code to your number to make sure it is you.
delete-what-sessions = You are signed out everywhere, and your app tokens stop working.
delete-what-invitees = People who joined with your code keep their entry, shown as a deleted account; your own entry leaves your inviter's list.
delete-what-number = Your number is free: signing in with it later creates a new account.
delete-what-records = A record that an account was deleted stays, without your number; sign-in records are removed after the retention period.
delete-send = Send me a code
delete-confirm = Delete my account for good
delete-error-last-owner = You are the service's last owner: make someone else an owner first.
sms-delete-text = Your user-auth code to DELETE your account: { $code }. It expires in { $minutes } minutes. If you did not ask for this, ignore it.
account-deleted = Your account is deleted.
deleted-account = a deleted account
deleted-account-id = Deleted account #{ $id }
admin-field-deleted = Deleted
admin-action-delete = Delete account
admin-confirm-delete = Delete the account of { $phone }? They are signed out at once, their number is freed, and the people who joined with their code keep their entry. This cannot be undone.
admin-done-delete = The account is deleted.
admin-audit-action-delete-account = deleted the account
admin-audit-action-change-phone = changed their number

# email
email-title = Email
email-verified = Confirmed address
email-pending = Waiting for confirmation
email-pending-hint = We mailed a link to this address. Open it to confirm the address; until then your confirmed address stays.
email-label = Email address
email-label-change = New email address
email-hint = We mail a link to confirm it. The link works once, for 24 hours.
email-send = Send confirmation link
email-remove = Remove email address
email-link-sent = We mailed a confirmation link. Open it to confirm your address.
email-removed = Your email address is removed.
email-error-empty = Enter an email address.
email-error-too-long = An email address can have at most 254 characters.
email-error-invalid = Enter an email address like name@example.com.
email-error-same = This is your confirmed address already.
email-limit-account = Too many confirmation links were sent for your account. { $retry }
email-limit-address = Too many confirmation links were sent to this address. { $retry }
email-link-invalid = This link cannot be used: it was used already, a newer one was sent, or it is not complete. Ask for a new link from your profile.
email-link-expired = This link has expired. Ask for a new link from your profile.
email-verify-title = Confirm your email address
email-verify-intro = Press the button to confirm this email address for your account.
email-verify-confirm = Confirm my address
email-verified-done = Your address { $email } is confirmed.
email-mail-subject = Confirm your email address for user-auth
email-mail-text = Open this link to confirm { $email } for your user-auth account:

    { $link }

    The link works once, for { $hours } hours. If you did not ask for this, ignore this mail.
admin-field-email = Email
admin-field-email-pending = Email waiting for confirmation
admin-email-verified = { $email } (confirmed { $when })
admin-outbox-to = To
admin-outbox-channel = Channel
admin-outbox-channel-sms = text
admin-outbox-channel-email = mail
