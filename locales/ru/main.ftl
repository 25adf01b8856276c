# user-auth — русский

app-name = user-auth
nav-sign-out = Выйти
nav-language = Язык
skip-to-content = Перейти к содержимому
error-summary-title = Есть проблема

## Phone form
login-title = Вход
login-intro = Введите номер телефона. Мы пришлём код для входа в SMS; если вы у нас впервые, будет создан аккаунт.
login-phone-label = Номер телефона
login-phone-hint = Укажите код страны, например { $example }
login-phone-hint-national = Например, { $example }
login-submit = Получить код
phone-error-empty = Введите номер телефона.
phone-error-characters = Номер может содержать только цифры, пробелы, дефисы, скобки и + в начале.
phone-error-too-long = Слишком длинно для номера телефона.
phone-error-needs-plus = Начните номер с + и кода страны, например +998.
phone-error-invalid = Такого номера телефона не существует. Проверьте код страны и цифры.
phone-error-type = На этот номер нельзя отправить SMS. Введите номер мобильного телефона.
phone-error-region = Мы не отправляем коды на номера этой страны.

## Code form
code-title = Введите код
code-sent-to = Мы отправили код на номер { $phone }.
code-change-number = Указать другой номер
code-label = Код
code-hint = Цифры из SMS
code-submit = Войти
code-resend = Отправить новый код
code-resend-wait = { $seconds ->
    [one] Новый код можно запросить через { $seconds } секунду.
    [few] Новый код можно запросить через { $seconds } секунды.
   *[many] Новый код можно запросить через { $seconds } секунд.
}
code-resent = Мы отправили вам новый код.
code-error-empty = Введите код из SMS.
code-error-format = Код состоит из { $min }–{ $max } цифр.
code-wrong = { $left ->
    [one] Код неверный. Осталась { $left } попытка.
    [few] Код неверный. Осталось { $left } попытки.
   *[many] Код неверный. Осталось { $left } попыток.
}
code-need-new = Этот код больше нельзя использовать. Запросите новый код.
code-expired = Срок действия кода истёк. Запросите новый код.
code-cooldown = Мы только что отправили вам код. { $retry }
code-limit-phone = На этот номер отправлено слишком много кодов. { $retry }
code-limit-ip = Из вашей сети запрошено слишком много кодов. { $retry }
code-limit-prefix = На похожие номера отправлено слишком много кодов. { $retry }
code-limit-total = Сейчас мы не можем отправить больше кодов. { $retry }
code-wrong-limit-ip = Из вашей сети введено слишком много неверных кодов. { $retry }
login-locked = Из вашей сети введено слишком много неверных кодов для этого номера. { $retry }
login-blocked = Этот аккаунт заблокирован. Если это ошибка, обратитесь в поддержку.
retry-in-seconds = { $seconds ->
    [one] Повторите через { $seconds } секунду.
    [few] Повторите через { $seconds } секунды.
   *[many] Повторите через { $seconds } секунд.
}
retry-in-minutes = { $minutes ->
    [one] Повторите через { $minutes } минуту.
    [few] Повторите через { $minutes } минуты.
   *[many] Повторите через { $minutes } минут.
}

## Text message
sms-text = Ваш код user-auth: { $code }. Действует { $minutes } мин. Никому его не сообщайте.

## Profile
profile-title = Ваш профиль
profile-phone = Телефон
profile-invite-code = Ваш код приглашения
profile-joined = Дата регистрации

## Invite codes
profile-invite-explain = Поделитесь этим кодом с друзьями. Когда кто-то введёт его в своём профиле, он появится в списке ниже.
profile-copy = Скопировать
profile-copied = Скопировано
profile-invite-link = Ваша ссылка-приглашение
profile-invite-link-explain = Открывший её сможет войти и принять ваше приглашение за один шаг.
profile-share = Поделиться
profile-share-title = Присоединяйтесь
profile-link-copied = Ссылка скопирована
profile-qr-label = QR-код вашей ссылки-приглашения
profile-print = Распечатать QR-код
print-title = Ссылка-приглашение для печати
print-explain = Наведите камеру телефона на код или откройте ссылку:
profile-entered-title = Ваше приглашение
profile-entered-code = Вы присоединились по коду
profile-entered-final = Введённый код нельзя изменить.
invite-form-label = Код приглашения
invite-form-hint = 6 символов, например 7K3-M9Q. Код можно ввести один раз, изменить его потом нельзя.
invite-form-submit = Ввести код
invite-entered = Код принят. Спасибо, что присоединились!
invite-error-empty = Введите код приглашения.
invite-error-too-long = Слишком длинно для кода приглашения.
invite-error-characters = Код приглашения состоит только из латинских букв A–Z (без I, L, O и U) и цифр.
invite-error-length = Код приглашения состоит из 6 символов.
invite-error-unknown = Аккаунта с таким кодом приглашения нет. Проверьте код и попробуйте снова.
invite-error-own = Это ваш собственный код. Введите код человека, который вас пригласил.
invite-error-cycle = Этот код ввести нельзя: его владелец присоединился через вас.
invite-error-already = Вы уже ввели код приглашения. Изменить его нельзя.
invite-error-rate = Слишком много попыток. { $retry }
invite-error-full = Этот код уже ввело максимальное число людей. Попросите код у другого человека.
invitation-page-title = Приглашение
invitation-heading = { $inviter } приглашает вас
invitation-explain = Чтобы присоединиться, войдите по номеру телефона. Вы появитесь среди тех, кто присоединился по этому приглашению. Принять можно одно приглашение и только один раз.
invitation-accept-explain = Вы появитесь среди тех, кто присоединился по этому приглашению. Принять можно одно приглашение и только один раз: изменить его потом нельзя.
invitation-code = Код приглашения { $code }
invitation-sign-in = Войти и принять
invitation-accept-question = Принять приглашение от { $inviter }?
invitation-accept = Принять
invitation-decline = Не сейчас
invitation-own = Это ваша собственная ссылка-приглашение. Поделитесь ею с теми, кого хотите пригласить.
invitation-entered = Вы уже приняли приглашение (код { $code }). Его нельзя изменить.
invitation-entered-no-code = Вы уже приняли приглашение. Его нельзя изменить.
invitation-unknown = Эта ссылка-приглашение никуда не ведёт. Уточните её у того, кто её прислал, или войдите и введите его код в профиле.
invitation-rate = Из вашей сети открыто слишком много ссылок-приглашений, которые никуда не ведут. { $retry }
invitation-to-profile = Перейти в профиль
invite-new-code-title = Получить новый код
invite-new-code-explain = Текущий код, его ссылка и QR-код перестанут работать для новых людей; те, кто уже присоединился, останутся.
invite-new-code-submit = Заменить мой код
invite-new-code-done = У вас новый код и новая ссылка. Прежние больше не работают.
invite-new-code-rate = Вы заменили код столько раз, сколько можно за день. { $retry }
admin-audit-action-new-invite-code = получил новый код приглашения
login-invitation = Войдите, чтобы принять приглашение с кодом { $code }.
profile-invitees-title = Присоединились по вашему коду
profile-invitees-count = { $count ->
    [0] По вашему коду ещё никто не присоединился.
    [one] По вашему коду присоединился { $shown } человек.
    [few] По вашему коду присоединились { $shown } человека.
   *[many] По вашему коду присоединились { $shown } человек.
}
profile-invitees-new = { $count ->
    [one] { $shown } новый
    [few] { $shown } новых
   *[many] { $shown } новых
}
profile-invitee-new = новый
profile-invitees-pages = Страницы списка присоединившихся
profile-newer = ← Новее
profile-older = Старше →

## Error pages
error-back-home = На главную
error-400-title = Неверный запрос
error-400-text = Запрос не удалось разобрать. Вернитесь назад и попробуйте ещё раз.
error-403-title = Доступ запрещён
error-403-text = Форма устарела или отправлена с другого сайта. Вернитесь, обновите страницу и попробуйте ещё раз.
error-404-title = Страница не найдена
error-404-text = По этому адресу ничего нет.
error-405-title = Недопустимый запрос
error-405-text = Этот адрес не принимает такой запрос.
error-413-title = Слишком большой запрос
error-413-text = Отправленные данные слишком велики.
error-429-title = Слишком много запросов
error-429-text = Вы отправили слишком много запросов. { $retry }
error-429-text-plain = Вы отправили слишком много запросов. Подождите немного и попробуйте снова.
error-500-title = Что-то пошло не так
error-500-text = На нашей стороне произошла непредвиденная ошибка. Попробуйте позже.
error-503-title = Сервис временно недоступен
error-503-text = Сервис временно недоступен. Попробуйте через минуту.

## API problems
problem-title-400 = Неверный запрос
problem-title-401 = Требуется авторизация
problem-title-403 = Запрещено
problem-title-404 = Не найдено
problem-title-405 = Метод не поддерживается
problem-title-409 = Конфликт
problem-title-413 = Слишком большой запрос
problem-title-415 = Неподдерживаемый тип данных
problem-title-422 = Данные не приняты
problem-title-429 = Слишком много запросов
problem-title-500 = Внутренняя ошибка сервера
problem-title-503 = Сервис недоступен
problem-unauthorized = Передайте действующий токен в заголовке «Authorization: Bearer <токен>». Получить его можно через POST /api/v1/auth/token.
problem-forbidden = Это действие запрещено.
problem-payload-too-large = Тело запроса слишком велико.
problem-malformed-json = Тело запроса не является корректным JSON.
problem-invalid-body = В JSON нет ожидаемых полей или у них не тот тип: { $reason }
problem-invalid-query = Строка запроса некорректна: { $reason }
problem-unsupported-media-type = Передайте тело запроса в формате application/json.
problem-resend-too-soon = Код был отправлен только что. { $retry }
problem-limit-out-of-range = Значение limit должно быть от { $min } до { $max }.
problem-invalid-cursor = Курсор некорректен. Используйте next_cursor предыдущей страницы.

## Administration
nav-admin = Админка
admin-nav-label = Администрирование
admin-nav-dashboard = Сводка
admin-nav-users = Пользователи
admin-nav-audit = Журнал действий
admin-dashboard-title = Сводка
admin-figures = Показатели
admin-total-users = Всего пользователей
admin-new-today = Новых сегодня
admin-new-7-days = Новых за 7 дней
admin-new-30-days = Новых за 30 дней
admin-sign-ins-24h = Входов за 24 часа
admin-codes-sent-24h = Отправлено кодов за 24 часа
admin-failed-24h = Неудачных проверок за 24 часа
admin-locked-now = Номеров, заблокированных для сети, сейчас
admin-entered-share = Ввели код приглашения
admin-texts-title = SMS
admin-texts-hour = Кодов отправлено за последний час:
admin-texts-of = { $sent } из { $budget }
admin-texts-budget-reached = Часовой лимит SMS исчерпан ({ $sent } из { $budget }): запросы кодов отклоняются, пока он не освободится.
admin-texts-prefix-reached = Номера, начинающиеся с { $prefix }, исчерпали часовой лимит ({ $sent } из { $budget }): их запросы кодов отклоняются.
admin-by-region-title = Последние 24 часа по странам
admin-by-region-empty = За последние 24 часа коды не отправлялись.
admin-region = Страна
admin-region-unknown = неизвестна
admin-codes-sent = Отправлено кодов
admin-sign-ins = Входов
admin-completion = Завершено
admin-chart-title = Новые пользователи по дням за 30 дней
admin-chart-desc = Столбчатая диаграмма новых аккаунтов по дням за последние 30 дней, всего { $total }. Те же числа есть в таблице ниже.
admin-chart-table = Числа в виде таблицы
admin-day = День
admin-new-accounts = Новых аккаунтов
admin-top-inviters = 10 лучших пригласивших
admin-no-inviters = Кодами приглашения ещё никто не пользовался.
admin-users-title = Пользователи
admin-search-label = Телефон или код приглашения
admin-search-hint = Любая часть номера телефона или код приглашения целиком.
admin-search-submit = Найти
admin-filter-any = Все
admin-filter-staff = Сотрудники
admin-filter-blocked = Блокировка
admin-filter-entered = Ввёл код
admin-staff-yes = Только сотрудники
admin-staff-no = Не сотрудники
admin-blocked-yes = Только заблокированные
admin-blocked-no = Не заблокированные
admin-entered-yes = Ввели код
admin-entered-no = Не вводили код
admin-sort-label = Сортировка
admin-sort-joined = Сначала новые
admin-sort-invitees = Больше всего приглашённых
admin-users-found = { $count ->
    [one] Найден { $shown } пользователь.
    [few] Найдено { $shown } пользователя.
   *[many] Найдено { $shown } пользователей.
}
admin-export-csv = Скачать CSV
admin-pages = Страницы
admin-prev = ← Назад
admin-next = Дальше →
admin-first = ← К новым
admin-field-id = ID
admin-field-phone = Телефон
admin-field-invite-code = Код приглашения
admin-field-active = Активен
admin-field-staff = Сотрудник
admin-field-owner = Владелец
admin-field-joined = Регистрация
admin-field-last-login = Последний вход
admin-field-entered-at = Ввёл код
admin-field-invitees = Приглашённых
admin-field-invited-by = Пригласил
admin-field-status = Статус
admin-badge-staff = сотрудник
admin-badge-blocked = заблокирован
admin-badge-entered = приглашён
admin-yes = да
admin-no = нет
admin-person-details = Сведения
admin-actions = Действия
admin-recent-sign-ins = Попытки входа
admin-no-events = Попыток входа ещё не было.
admin-events-show = Показать
admin-when = Когда (UTC)
admin-ip = IP-адрес
admin-outcome = Результат
admin-outcome-code-sent = код отправлен
admin-outcome-code-refused = в коде отказано (лимит или блокировка)
admin-outcome-signed-in = вход выполнен
admin-outcome-wrong-code = неверный код
admin-outcome-code-dead = код больше недействителен
admin-outcome-code-expired = срок кода истёк
admin-outcome-locked = номер заблокирован
admin-outcome-blocked = аккаунт заблокирован
admin-action-block = Заблокировать
admin-action-unblock = Разблокировать
admin-action-grant-staff = Сделать сотрудником
admin-action-revoke-staff = Снять права сотрудника
admin-action-sign-out-everywhere = Выйти на всех устройствах
admin-confirm-block = Заблокировать { $phone }? Все его сеансы сразу завершатся, API-токены перестанут работать, войти он не сможет до разблокировки.
admin-confirm-unblock = Разблокировать { $phone }? Он снова сможет входить.
admin-confirm-grant-staff = Сделать { $phone } сотрудником? Он получит доступ к этой админке.
admin-confirm-revoke-staff = Снять права сотрудника с { $phone }?
admin-confirm-sign-out-everywhere = Завершить все сеансы { $phone }? Его сеансы и API-токены сразу перестанут работать.
admin-cancel = Отмена
admin-done-block = Заблокирован. Его сеансы и токены завершены.
admin-done-unblock = Разблокирован.
admin-done-grant-staff = Теперь он сотрудник.
admin-done-revoke-staff = Права сотрудника сняты.
admin-done-sign-out-everywhere = Все сеансы завершены.
admin-audit-title = Журнал действий
admin-audit-actor = Кто
admin-audit-action = Что
admin-audit-target = С кем
admin-audit-empty = Действий ещё не было.
admin-audit-all = Показать всё
admin-audit-by = Действия пользователя { $id }.
admin-audit-on = Действия с пользователем { $id }.
admin-audit-on-person = Действия с этим человеком
admin-audit-by-person = Действия этого человека
admin-audit-command-line = командная строка
admin-audit-action-block = заблокировал
admin-audit-action-unblock = разблокировал
admin-audit-action-grant-staff = сделал сотрудником
admin-audit-action-revoke-staff = снял права сотрудника
admin-audit-action-sign-out-everywhere = завершил все сеансы
admin-audit-action-grant-owner = назначил владельцем
admin-audit-action-revoke-owner = снял роль владельца
admin-tree-title = Дерево приглашений
admin-tree-up-title = Вверх по цепочке
admin-tree-up-none = Присоединился без чужого кода.
admin-tree-up = { $depth }. { $phone } ({ $count ->
    [one] { $shown } приглашённый
    [few] { $shown } приглашённых
   *[many] { $shown } приглашённых
})
admin-tree-down-title = Вниз
admin-tree-down = Уровень { $depth }: { $shown }
admin-tree-bunch-network = Отмечен: { $count } приглашённых за час из сети { $key } (с { $from }).
admin-tree-bunch-prefix = Отмечен: { $count } приглашённых за час с номерами на { $key } (с { $from }).
admin-invitees-title = Присоединились по его коду
admin-invitees-count = { $count ->
    [0] По его коду никто не присоединился.
    [one] По его коду присоединился { $shown } человек.
    [few] По его коду присоединились { $shown } человека.
   *[many] По его коду присоединились { $shown } человек.
}

# the outbox page
admin-nav-outbox = Сообщения
admin-outbox-title = SMS-сообщения
admin-outbox-last-hour = Созданы за последний час
admin-outbox-last-day = Созданы за последние 24 часа
admin-outbox-oldest = Самое старое неотправленное сообщение ждёт { $seconds } с.
admin-outbox-none-waiting = Неотправленных сообщений нет.
admin-outbox-empty = Сообщений нет.
admin-outbox-messages = Сообщения
admin-outbox-state = Состояние
admin-outbox-provider = Провайдер
admin-outbox-attempts = Попытки
admin-outbox-sent = Отправлено
admin-outbox-error = Последняя ошибка
admin-outbox-retry = Отправить снова
admin-outbox-retried = Сообщение снова в очереди.
admin-outbox-not-retryable = Это сообщение нельзя отправить снова: его код уже недействителен.
admin-outbox-state-pending = ждёт
admin-outbox-state-sending = отправляется
admin-outbox-state-sent = отправлено
admin-outbox-state-delivered = доставлено
admin-outbox-state-failed = ошибка
admin-outbox-state-expired = истекло
admin-audit-action-retry-message = отправил SMS повторно

# test numbers
admin-field-test-number = Тестовый номер
admin-test-number-until = да: входит с постоянным кодом, который не отправляется, до { $date }

# display names
profile-name = Имя
profile-name-none = не указано
profile-name-label = Ваше имя
profile-name-hint = До 64 символов. Оставьте пустым, чтобы удалить имя.
profile-name-save = Сохранить имя
name-saved = Имя сохранено.
name-error-too-long = Имя может содержать не более { $max } символов.
name-error-invisible = Имя не может содержать управляющие или невидимые символы.
admin-field-name = Имя

# where you are signed in
devices-title = Где выполнен вход
devices-explain = Все браузеры и приложения, в которых выполнен вход в ваш аккаунт. Выйдите из тех, которые вы не узнаёте.
devices-browser-on = { $browser } на { $system }
devices-unknown = Неизвестный браузер
devices-kind-session = веб
devices-kind-token = приложение (API)
devices-this = это устройство
devices-since = Вход
devices-last-seen = последняя активность
devices-end = Выйти
devices-end-others = Выйти на всех других устройствах
devices-ended = Выход выполнен.
devices-back = Вернуться в профиль
profile-devices-link = Где выполнен вход
profile-export-link = Скачать мои данные

# changing the number
profile-phone-link = Сменить номер
phone-change-title = Смена номера
phone-change-intro = В аккаунте сохранится всё: ваш код приглашения, введённый вами код и люди, присоединившиеся по вашему коду. Мы отправим код на новый номер, чтобы убедиться, что он ваш, и сообщим о смене на старый номер.
phone-change-label = Новый номер телефона
phone-change-send = Отправить код на новый номер
phone-change-confirm = Сменить номер
phone-changed = Номер изменён. Мы сообщили об этом на старый номер.
phone-change-same = Это и есть ваш номер.
phone-change-taken = Этот номер принадлежит другому аккаунту. Войдите с ним или сначала удалите тот аккаунт.
sms-change-phone-text = Ваш код user-auth для переноса аккаунта на этот номер: { $code }. Действует { $minutes } мин. Никому его не сообщайте.
sms-phone-changed = Ваш аккаунт user-auth перенесён на номер, оканчивающийся на { $ending }. Если это были не вы, обратитесь в поддержку.
sms-invitee-joined = Кто-то присоединился к user-auth по вашему коду приглашения. Кто именно — в вашем профиле.

# deleting the account
profile-delete-link = Удалить аккаунт
delete-title = Удаление аккаунта
delete-intro = Удаление аккаунта нельзя отменить. Мы отправим код на ваш номер, чтобы убедиться, что это вы.
delete-what-sessions = Вы выйдете на всех устройствах, токены приложений перестанут работать.
delete-what-invitees = Люди, присоединившиеся по вашему коду, сохранят запись — она будет показана как удалённый аккаунт; ваша собственная запись исчезнет из списка пригласившего вас.
delete-what-number = Ваш номер освободится: вход с ним позже создаст новый аккаунт.
delete-what-records = Останется запись о том, что аккаунт удалён, без вашего номера; записи о входах удаляются по истечении срока хранения.
delete-send = Отправить мне код
delete-confirm = Удалить аккаунт навсегда
delete-error-last-owner = Вы последний владелец сервиса: сначала назначьте владельцем кого-то ещё.
sms-delete-text = Ваш код user-auth для УДАЛЕНИЯ аккаунта: { $code }. Действует { $minutes } мин. Если вы этого не запрашивали, ничего не делайте.
account-deleted = Ваш аккаунт удалён.
deleted-account = удалённый аккаунт
deleted-account-id = Удалённый аккаунт №{ $id }
admin-field-deleted = Удалён
admin-action-delete = Удалить аккаунт
admin-confirm-delete = Удалить аккаунт { $phone }? Все его сеансы завершатся, номер освободится, а присоединившиеся по его коду сохранят запись. Это нельзя отменить.
admin-done-delete = Аккаунт удалён.
admin-audit-action-delete-account = удалил аккаунт
admin-audit-action-change-phone = сменил номер

# email
email-title = Электронная почта
email-verified = Подтверждённый адрес
email-pending = Ждёт подтверждения
email-pending-hint = Мы отправили ссылку на этот адрес. Откройте её, чтобы подтвердить адрес; до тех пор остаётся ваш подтверждённый адрес.
email-label = Адрес электронной почты
email-label-change = Новый адрес электронной почты
email-hint = Мы отправим ссылку для подтверждения. Она действует один раз, 24 часа.
email-send = Отправить ссылку
email-remove = Удалить адрес почты
email-link-sent = Мы отправили ссылку для подтверждения. Откройте её, чтобы подтвердить адрес.
email-removed = Адрес почты удалён.
email-error-empty = Введите адрес электронной почты.
email-error-too-long = Адрес почты может содержать не более 254 символов.
email-error-invalid = Введите адрес вида name@example.com.
email-error-same = Это уже ваш подтверждённый адрес.
email-limit-account = Для вашего аккаунта отправлено слишком много ссылок. { $retry }
email-limit-address = На этот адрес отправлено слишком много ссылок. { $retry }
email-link-invalid = Эту ссылку нельзя использовать: она уже использована, отправлена более новая или она неполная. Запросите новую ссылку в профиле.
email-link-expired = Срок действия ссылки истёк. Запросите новую ссылку в профиле.
email-verify-title = Подтверждение адреса почты
email-verify-intro = Нажмите кнопку, чтобы подтвердить этот адрес для вашего аккаунта.
email-verify-confirm = Подтвердить адрес
email-verified-done = Ваш адрес { $email } подтверждён.
email-mail-subject = Подтвердите адрес почты для user-auth
email-mail-text = Откройте эту ссылку, чтобы подтвердить адрес { $email } для вашего аккаунта user-auth:

    { $link }

    Ссылка действует один раз, { $hours } ч. Если вы этого не запрашивали, просто проигнорируйте письмо.
admin-field-email = Почта
admin-field-email-pending = Почта, ждущая подтверждения
admin-email-verified = { $email } (подтверждён { $when })
admin-outbox-to = Кому
admin-outbox-channel = Канал
admin-outbox-channel-sms = SMS
admin-outbox-channel-email = почта
