# user-auth — oʻzbekcha (lotin yozuvi)

app-name = user-auth
nav-sign-out = Chiqish
nav-language = Til
skip-to-content = Asosiy qismga oʻtish
error-summary-title = Muammo bor

## Phone form
login-title = Kirish
login-intro = Telefon raqamingizni kiriting. Kirish uchun SMS orqali kod yuboramiz; agar siz yangi boʻlsangiz, hisobingiz yaratiladi.
login-phone-label = Telefon raqami
login-phone-hint = Mamlakat kodi bilan kiriting, masalan { $example }
login-phone-hint-national = Masalan, { $example }
login-submit = Kod olish
phone-error-empty = Telefon raqamingizni kiriting.
phone-error-characters = Telefon raqamida faqat raqamlar, boʻshliqlar, chiziqchalar, qavslar va boshida + boʻlishi mumkin.
phone-error-too-long = Telefon raqami uchun bu juda uzun.
phone-error-needs-plus = Raqamni + va mamlakat kodi bilan boshlang, masalan +998.
phone-error-invalid = Bunday telefon raqami yoʻq. Mamlakat kodi va raqamlarni tekshiring.
phone-error-type = Bu raqamga SMS yuborib boʻlmaydi. Mobil raqam kiriting.
phone-error-region = Bu mamlakat raqamlariga kod yubormaymiz.

## Code form
code-title = Kodni kiriting
code-sent-to = { $phone } raqamiga kod yubordik.
code-change-number = Boshqa raqamdan foydalanish
code-label = Kod
code-hint = SMS dagi raqamlar
code-submit = Kirish
code-resend = Yangi kod yuborish
code-resend-wait = { $seconds ->
    [one] Yangi kodni { $seconds } soniyadan keyin soʻrashingiz mumkin.
   *[other] Yangi kodni { $seconds } soniyadan keyin soʻrashingiz mumkin.
}
code-resent = Sizga yangi kod yubordik.
code-error-empty = SMS dagi kodni kiriting.
code-error-format = Kod { $min } tadan { $max } tagacha raqamdan iborat.
code-wrong = { $left ->
    [one] Kod notoʻgʻri. Yana { $left } ta urinish qoldi.
   *[other] Kod notoʻgʻri. Yana { $left } ta urinish qoldi.
}
code-need-new = Bu koddan endi foydalanib boʻlmaydi. Yangi kod soʻrang.
code-expired = Bu kodning muddati tugagan. Yangi kod soʻrang.
code-cooldown = Sizga hozirgina kod yubordik. { $retry }
code-limit-phone = Bu raqamga juda koʻp kod yuborildi. { $retry }
code-limit-ip = Tarmogʻingizdan juda koʻp kod soʻraldi. { $retry }
code-limit-prefix = Shunga oʻxshash raqamlarga juda koʻp kod yuborildi. { $retry }
code-limit-total = Hozir boshqa kod yubora olmaymiz. { $retry }
code-wrong-limit-ip = Tarmogʻingizdan juda koʻp notoʻgʻri kod kiritildi. { $retry }
login-locked = Tarmogʻingizdan bu raqam uchun juda koʻp notoʻgʻri kod kiritildi. { $retry }
login-blocked = Bu hisob bloklangan. Agar bu xato deb hisoblasangiz, qoʻllab-quvvatlash xizmatiga murojaat qiling.
retry-in-seconds = { $seconds ->
    [one] { $seconds } soniyadan keyin qayta urinib koʻring.
   *[other] { $seconds } soniyadan keyin qayta urinib koʻring.
}
retry-in-minutes = { $minutes ->
    [one] { $minutes } daqiqadan keyin qayta urinib koʻring.
   *[other] { $minutes } daqiqadan keyin qayta urinib koʻring.
}

## Text message
sms-text = user-auth kodingiz: { $code }. U { $minutes } daqiqa amal qiladi. Uni hech kimga aytmang.

## Profile
profile-title = Profilingiz
profile-phone = Telefon
profile-invite-code = Taklif kodingiz
profile-joined = Roʻyxatdan oʻtgan sana

## Invite codes
profile-invite-explain = Bu kodni doʻstlaringizga yuboring. Kimdir uni oʻz profilida kiritsa, quyidagi roʻyxatda paydo boʻladi.
profile-copy = Nusxalash
profile-copied = Nusxalandi
profile-invite-link = Taklif havolangiz
profile-invite-link-explain = Uni ochgan kishi tizimga kirib, taklifingizni bir qadamda qabul qila oladi.
profile-share = Ulashish
profile-share-title = Menga qoʻshiling
profile-link-copied = Havola nusxalandi
profile-qr-label = Taklif havolangizning QR kodi
profile-print = QR kodni chop etish
print-title = Chop etish uchun taklif havolasi
print-explain = Kodni telefon kamerasi bilan skanerlang yoki havolani oching:
profile-entered-title = Sizning taklifingiz
profile-entered-code = Siz ushbu kod orqali qoʻshildingiz:
profile-entered-final = Kiritilgan kodni oʻzgartirib boʻlmaydi.
invite-form-label = Taklif kodi
invite-form-hint = 6 ta belgi, masalan 7K3-M9Q. Kodni faqat bir marta kiritish mumkin, keyin uni oʻzgartirib boʻlmaydi.
invite-form-submit = Kodni kiritish
invite-entered = Kod qabul qilindi. Qoʻshilganingiz uchun rahmat!
invite-error-empty = Taklif kodini kiriting.
invite-error-too-long = Taklif kodi uchun bu juda uzun.
invite-error-characters = Taklif kodi faqat lotin harflari A–Z (I, L, O va U dan tashqari) va raqamlardan iborat.
invite-error-length = Taklif kodi 6 ta belgidan iborat.
invite-error-unknown = Bunday taklif kodli hisob yoʻq. Kodni tekshirib, qayta urinib koʻring.
invite-error-own = Bu sizning oʻz taklif kodingiz. Sizni taklif qilgan odamning kodini kiriting.
invite-error-cycle = Bu kodni kiritib boʻlmaydi: uning egasi siz orqali qoʻshilgan.
invite-error-already = Siz allaqachon taklif kodini kiritgansiz. Uni oʻzgartirib boʻlmaydi.
invite-error-rate = Juda koʻp urinish. { $retry }
invite-error-full = Bu kodni kiritishi mumkin boʻlgan odamlar soni toʻldi. Boshqa odamdan kod soʻrang.
invitation-page-title = Taklif
invitation-heading = { $inviter } sizni taklif qilmoqda
invitation-explain = Qoʻshilish uchun telefon raqamingiz bilan kiring. Siz shu taklif orqali qoʻshilganlar qatorida boʻlasiz. Faqat bitta taklifni bir marta qabul qilish mumkin.
invitation-accept-explain = Siz shu taklif orqali qoʻshilganlar qatorida boʻlasiz. Faqat bitta taklifni bir marta qabul qilish mumkin: keyin uni oʻzgartirib boʻlmaydi.
invitation-code = Taklif kodi: { $code }
invitation-sign-in = Kirib, qabul qilish
invitation-accept-question = { $inviter } taklifini qabul qilasizmi?
invitation-accept = Qabul qilish
invitation-decline = Hozir emas
invitation-own = Bu sizning taklif havolangiz. Uni taklif qilmoqchi boʻlgan odamlarga yuboring.
invitation-entered = Siz allaqachon taklifni qabul qilgansiz ({ $code } kodi). Uni oʻzgartirib boʻlmaydi.
invitation-entered-no-code = Siz allaqachon taklifni qabul qilgansiz. Uni oʻzgartirib boʻlmaydi.
invitation-unknown = Bu taklif havolasi hech kimga olib bormaydi. Uni yuborgan odamdan soʻrang yoki tizimga kirib, uning kodini profilingizda kiriting.
invitation-rate = Tarmogʻingizdan hech kimga olib bormaydigan juda koʻp taklif havolalari ochildi. { $retry }
invitation-to-profile = Profilga oʻtish
invite-new-code-title = Yangi kod olish
invite-new-code-explain = Joriy kodingiz, uning havolasi va QR kodi yangi odamlar uchun ishlamay qoladi; u orqali qoʻshilganlar qoladi.
invite-new-code-submit = Kodimni almashtirish
invite-new-code-done = Sizda yangi taklif kodi va havola bor. Eskilari endi ishlamaydi.
invite-new-code-rate = Siz kodni bir kunda mumkin boʻlgancha almashtirdingiz. { $retry }
admin-audit-action-new-invite-code = yangi taklif kodini oldi
login-invitation = Tizimga kiring, soʻng { $code } kodli taklifni qabul qiling.
profile-invitees-title = Kodingiz orqali qoʻshilganlar
profile-invitees-count = { $count ->
    [0] Kodingiz orqali hali hech kim qoʻshilmagan.
    [one] Kodingiz orqali { $shown } kishi qoʻshildi.
   *[other] Kodingiz orqali { $shown } kishi qoʻshildi.
}
profile-invitees-new = { $shown } ta yangi
profile-invitee-new = yangi
profile-invitees-pages = Qoʻshilganlar roʻyxati sahifalari
profile-newer = ← Yangiroq
profile-older = Eskiroq →

## Error pages
error-back-home = Bosh sahifaga oʻtish
error-400-title = Notoʻgʻri soʻrov
error-400-text = Soʻrovni tushunib boʻlmadi. Orqaga qayting va qayta urinib koʻring.
error-403-title = Ruxsat berilmagan
error-403-text = Shakl eskirgan yoki boshqa saytdan yuborilgan. Orqaga qayting, sahifani yangilang va qayta urinib koʻring.
error-404-title = Sahifa topilmadi
error-404-text = Bu manzilda sahifa yoʻq.
error-405-title = Ruxsat berilmagan
error-405-text = Bu manzil bunday soʻrovni qabul qilmaydi.
error-413-title = Juda katta
error-413-text = Yuborgan maʼlumotingiz juda katta.
error-429-title = Juda koʻp soʻrov
error-429-text = Siz juda koʻp soʻrov yubordingiz. { $retry }
error-429-text-plain = Siz juda koʻp soʻrov yubordingiz. Biroz kuting va qayta urinib koʻring.
error-500-title = Nimadir notoʻgʻri ketdi
error-500-text = Bizning tomonda kutilmagan xato yuz berdi. Keyinroq qayta urinib koʻring.
error-503-title = Vaqtincha ishlamayapti
error-503-text = Xizmat vaqtincha ishlamayapti. Bir daqiqadan keyin qayta urinib koʻring.

## API problems
problem-title-400 = Notoʻgʻri soʻrov
problem-title-401 = Avtorizatsiya talab qilinadi
problem-title-403 = Taqiqlangan
problem-title-404 = Topilmadi
problem-title-405 = Usulga ruxsat yoʻq
problem-title-409 = Ziddiyat
problem-title-413 = Soʻrov juda katta
problem-title-415 = Qoʻllab-quvvatlanmaydigan maʼlumot turi
problem-title-422 = Maʼlumot qabul qilinmadi
problem-title-429 = Juda koʻp soʻrov
problem-title-500 = Serverning ichki xatosi
problem-title-503 = Xizmat mavjud emas
problem-unauthorized = Amaldagi tokenni "Authorization: Bearer <token>" sarlavhasida yuboring. Uni POST /api/v1/auth/token orqali olish mumkin.
problem-forbidden = Bunga ruxsat yoʻq.
problem-payload-too-large = Soʻrov tanasi juda katta.
problem-malformed-json = Soʻrov tanasi toʻgʻri JSON emas.
problem-invalid-body = JSON da kutilgan maydonlar yoki turlar yoʻq: { $reason }
problem-invalid-query = Soʻrov satri notoʻgʻri: { $reason }
problem-unsupported-media-type = Soʻrov tanasini application/json sifatida yuboring.
problem-resend-too-soon = Kod hozirgina yuborildi. { $retry }
problem-limit-out-of-range = limit qiymati { $min } dan { $max } gacha boʻlishi kerak.
problem-invalid-cursor = Kursor notoʻgʻri. Oldingi sahifaning next_cursor qiymatidan foydalaning.

## Administration
nav-admin = Boshqaruv
admin-nav-label = Boshqaruv
admin-nav-dashboard = Umumiy koʻrinish
admin-nav-users = Foydalanuvchilar
admin-nav-audit = Amallar jurnali
admin-dashboard-title = Umumiy koʻrinish
admin-figures = Koʻrsatkichlar
admin-total-users = Jami foydalanuvchilar
admin-new-today = Bugun yangi
admin-new-7-days = 7 kunda yangi
admin-new-30-days = 30 kunda yangi
admin-sign-ins-24h = 24 soatda kirishlar
admin-codes-sent-24h = 24 soatda yuborilgan kodlar
admin-failed-24h = 24 soatda muvaffaqiyatsiz tekshiruvlar
admin-locked-now = Hozir tarmoq uchun bloklangan raqamlar
admin-entered-share = Taklif kodini kiritganlar
admin-texts-title = SMS xabarlar
admin-texts-hour = Oxirgi soatda yuborilgan kodlar:
admin-texts-of = { $budget } tadan { $sent } ta
admin-texts-budget-reached = SMS xabarlarning soatlik limiti tugadi ({ $budget } tadan { $sent } ta): limit boʻshaguncha kod soʻrovlari rad etiladi.
admin-texts-prefix-reached = { $prefix } bilan boshlanadigan raqamlar soatlik limitga yetdi ({ $budget } tadan { $sent } ta): ularning kod soʻrovlari rad etiladi.
admin-by-region-title = Oxirgi 24 soat mamlakatlar boʻyicha
admin-by-region-empty = Oxirgi 24 soatda kod yuborilmagan.
admin-region = Mamlakat
admin-region-unknown = nomaʼlum
admin-codes-sent = Yuborilgan kodlar
admin-sign-ins = Kirishlar
admin-completion = Yakunlangan
admin-chart-title = Kunlik yangi foydalanuvchilar, soʻnggi 30 kun
admin-chart-desc = Soʻnggi 30 kundagi kunlik yangi hisoblar ustunli diagrammasi, jami { $total }. Xuddi shu sonlar quyidagi jadvalda ham bor.
admin-chart-table = Sonlar jadval koʻrinishida
admin-day = Kun
admin-new-accounts = Yangi hisoblar
admin-top-inviters = Eng koʻp taklif qilgan 10 kishi
admin-no-inviters = Hali hech kim taklif kodidan foydalanmagan.
admin-users-title = Foydalanuvchilar
admin-search-label = Telefon yoki taklif kodi
admin-search-hint = Telefon raqamining istalgan qismi yoki taklif kodi toʻliq.
admin-search-submit = Qidirish
admin-filter-any = Hammasi
admin-filter-staff = Xodimlar
admin-filter-blocked = Bloklanganlar
admin-filter-entered = Kod kiritgan
admin-staff-yes = Faqat xodimlar
admin-staff-no = Xodim emas
admin-blocked-yes = Faqat bloklanganlar
admin-blocked-no = Bloklanmaganlar
admin-entered-yes = Kod kiritganlar
admin-entered-no = Kod kiritmaganlar
admin-sort-label = Saralash
admin-sort-joined = Avval yangilari
admin-sort-invitees = Avval koʻp taklif qilganlar
admin-users-found = { $count ->
    [one] { $shown } ta foydalanuvchi topildi.
   *[other] { $shown } ta foydalanuvchi topildi.
}
admin-export-csv = CSV yuklab olish
admin-pages = Sahifalar
admin-prev = ← Oldingi
admin-next = Keyingi →
admin-first = ← Yangilariga
admin-field-id = ID
admin-field-phone = Telefon
admin-field-invite-code = Taklif kodi
admin-field-active = Faol
admin-field-staff = Xodim
admin-field-owner = Egasi
admin-field-joined = Roʻyxatdan oʻtgan
admin-field-last-login = Oxirgi kirish
admin-field-entered-at = Kod kiritgan sana
admin-field-invitees = Taklif qilinganlar
admin-field-invited-by = Taklif qilgan
admin-field-status = Holat
admin-badge-staff = xodim
admin-badge-blocked = bloklangan
admin-badge-entered = taklif bilan
admin-yes = ha
admin-no = yoʻq
admin-person-details = Maʼlumotlar
admin-actions = Amallar
admin-recent-sign-ins = Kirishga urinishlar
admin-no-events = Hali kirish urinishlari boʻlmagan.
admin-events-show = Koʻrsatish
admin-when = Qachon (UTC)
admin-ip = IP manzil
admin-outcome = Natija
admin-outcome-code-sent = kod yuborildi
admin-outcome-code-refused = koddan rad etildi (cheklov yoki blok)
admin-outcome-signed-in = kirdi
admin-outcome-wrong-code = notoʻgʻri kod
admin-outcome-code-dead = kod endi yaroqsiz
admin-outcome-code-expired = kod muddati tugagan
admin-outcome-locked = raqam bloklangan
admin-outcome-blocked = hisob bloklangan
admin-action-block = Bloklash
admin-action-unblock = Blokdan chiqarish
admin-action-grant-staff = Xodim qilish
admin-action-revoke-staff = Xodim huquqlarini olish
admin-action-sign-out-everywhere = Barcha qurilmalardan chiqarish
admin-confirm-block = { $phone } bloklansinmi? U darhol tizimdan chiqariladi, API tokenlari ishlamay qoladi va blokdan chiqarilmaguncha kira olmaydi.
admin-confirm-unblock = { $phone } blokdan chiqarilsinmi? U yana kira oladi.
admin-confirm-grant-staff = { $phone } xodim qilinsinmi? U ushbu boshqaruv boʻlimiga kirish huquqini oladi.
admin-confirm-revoke-staff = { $phone } dan xodim huquqlari olinsinmi?
admin-confirm-sign-out-everywhere = { $phone } barcha qurilmalardan chiqarilsinmi? Uning seanslari va API tokenlari darhol ishlamay qoladi.
admin-cancel = Bekor qilish
admin-done-block = Bloklandi. Uning seanslari va tokenlari tugatildi.
admin-done-unblock = Blokdan chiqarildi.
admin-done-grant-staff = Endi u xodim.
admin-done-revoke-staff = Xodim huquqlari olindi.
admin-done-sign-out-everywhere = Barcha qurilmalardan chiqarildi.
admin-audit-title = Amallar jurnali
admin-audit-actor = Kim
admin-audit-action = Nima
admin-audit-target = Kimga
admin-audit-empty = Hali hech qanday amal bajarilmagan.
admin-audit-all = Hammasini koʻrsatish
admin-audit-by = { $id } foydalanuvchining amallari.
admin-audit-on = { $id } foydalanuvchiga nisbatan amallar.
admin-audit-on-person = Bu odamga nisbatan amallar
admin-audit-by-person = Bu odamning amallari
admin-audit-command-line = buyruq satri
admin-audit-action-block = blokladi
admin-audit-action-unblock = blokdan chiqardi
admin-audit-action-grant-staff = xodim qildi
admin-audit-action-revoke-staff = xodim huquqlarini oldi
admin-audit-action-sign-out-everywhere = barcha qurilmalardan chiqardi
admin-audit-action-grant-owner = ega qildi
admin-audit-action-revoke-owner = ega rolini olib tashladi
admin-tree-title = Takliflar daraxti
admin-tree-up-title = Zanjir boʻylab yuqoriga
admin-tree-up-none = Hech kimning kodisiz qoʻshilgan.
admin-tree-up = { $depth }. { $phone } ({ $shown } ta taklif qilingan)
admin-tree-down-title = Pastga
admin-tree-down = { $depth }-daraja: { $shown }
admin-tree-bunch-network = Belgilangan: bir soat ichida { $key } tarmogʻidan { $count } ta taklif qilingan ({ $from } dan).
admin-tree-bunch-prefix = Belgilangan: bir soat ichida { $key } bilan boshlanadigan raqamlardan { $count } ta taklif qilingan ({ $from } dan).
admin-invitees-title = Uning kodi orqali qoʻshilganlar
admin-invitees-count = { $count ->
    [0] Uning kodi orqali hech kim qoʻshilmagan.
    [one] Uning kodi orqali { $shown } kishi qoʻshildi.
   *[other] Uning kodi orqali { $shown } kishi qoʻshildi.
}

# the outbox page
admin-nav-outbox = Xabarlar
admin-outbox-title = SMS xabarlar
admin-outbox-last-hour = Oxirgi bir soatda yaratilgan
admin-outbox-last-day = Oxirgi 24 soatda yaratilgan
admin-outbox-oldest = Hali yuborilmagan eng eski xabar { $seconds } soniya kutmoqda.
admin-outbox-none-waiting = Yuborilishini kutayotgan xabar yoʻq.
admin-outbox-empty = Xabarlar yoʻq.
admin-outbox-messages = Xabarlar
admin-outbox-state = Holati
admin-outbox-provider = Provayder
admin-outbox-attempts = Urinishlar
admin-outbox-sent = Yuborilgan
admin-outbox-error = Oxirgi xato
admin-outbox-retry = Qayta yuborish
admin-outbox-retried = Xabar yana navbatga qoʻyildi.
admin-outbox-not-retryable = Bu xabarni qayta yuborib boʻlmaydi: uning kodi endi yaroqsiz.
admin-outbox-state-pending = kutmoqda
admin-outbox-state-sending = yuborilmoqda
admin-outbox-state-sent = yuborildi
admin-outbox-state-delivered = yetkazildi
admin-outbox-state-failed = xato
admin-outbox-state-expired = muddati oʻtdi
admin-audit-action-retry-message = SMSni qayta yubordi

# test numbers
admin-field-test-number = Test raqami
admin-test-number-until = ha: { $date } gacha yuborilmaydigan doimiy kod bilan kiradi

# display names
profile-name = Ism
profile-name-none = koʻrsatilmagan
profile-name-label = Ismingiz
profile-name-hint = 64 belgigacha. Ismni oʻchirish uchun boʻsh qoldiring.
profile-name-save = Ismni saqlash
name-saved = Ismingiz saqlandi.
name-error-too-long = Ism koʻpi bilan { $max } belgidan iborat boʻlishi mumkin.
name-error-invisible = Ismda boshqaruv yoki koʻrinmas belgilar boʻlishi mumkin emas.
admin-field-name = Ism

# where you are signed in
devices-title = Qayerda kirgansiz
devices-explain = Hisobingizga kirilgan barcha brauzer va ilovalar. Tanimaganlaringizdan chiqing.
devices-browser-on = { $system } da { $browser }
devices-unknown = Nomaʼlum brauzer
devices-kind-session = veb
devices-kind-token = ilova (API)
devices-this = shu qurilma
devices-since = Kirilgan
devices-last-seen = oxirgi faollik
devices-end = Chiqish
devices-end-others = Boshqa barcha joylardan chiqish
devices-ended = Chiqildi.
devices-back = Profilga qaytish
profile-devices-link = Qayerda kirgansiz
profile-export-link = Maʼlumotlarimni yuklab olish

# changing the number
profile-phone-link = Raqamni almashtirish
phone-change-title = Raqamingizni almashtirish
phone-change-intro = Hisobingizda hammasi saqlanadi: taklif kodingiz, siz kiritgan kod va kodingiz bilan qo'shilganlar. Yangi raqam sizniki ekanini tekshirish uchun unga kod yuboramiz va eski raqamingizga o'zgarish haqida xabar beramiz.
phone-change-label = Yangi telefon raqami
phone-change-send = Yangi raqamga kod yuborish
phone-change-confirm = Raqamimni almashtirish
phone-changed = Raqamingiz almashtirildi. Eski raqamingizga xabar berdik.
phone-change-same = Bu allaqachon sizning raqamingiz.
phone-change-taken = Bu raqam boshqa hisobga tegishli. U bilan kiring yoki avval o'sha hisobni o'chiring.
sms-change-phone-text = Hisobingizni shu raqamga o'tkazish uchun user-auth kodi: { $code }. U { $minutes } daqiqa amal qiladi. Uni hech kimga aytmang.
sms-phone-changed = user-auth hisobingiz { $ending } bilan tugaydigan raqamga o'tkazildi. Agar bu siz bo'lmasangiz, qo'llab-quvvatlash xizmatiga murojaat qiling.
sms-invitee-joined = Kimdir sizning taklif kodingiz bilan user-auth ga qoʻshildi. Kimligini profilingizda koʻring.

# deleting the account
profile-delete-link = Hisobimni o'chirish
delete-title = Hisobingizni o'chirish
delete-intro = Hisobni o'chirishni ortga qaytarib bo'lmaydi. Bu siz ekaningizni tekshirish uchun raqamingizga kod yuboramiz.
delete-what-sessions = Barcha qurilmalardan chiqasiz, ilova tokenlaringiz ishlamay qoladi.
delete-what-invitees = Kodingiz bilan qo'shilganlar yozuvini saqlab qoladi, u o'chirilgan hisob sifatida ko'rsatiladi; sizning yozuvingiz taklif qilgan kishining ro'yxatidan olib tashlanadi.
delete-what-number = Raqamingiz bo'shaydi: keyinroq u bilan kirish yangi hisob ochadi.
delete-what-records = Hisob o'chirilgani haqidagi yozuv raqamingizsiz qoladi; kirish yozuvlari saqlash muddati tugagach o'chiriladi.
delete-send = Menga kod yuboring
delete-confirm = Hisobimni butunlay o'chirish
delete-error-last-owner = Siz xizmatning oxirgi egasisiz: avval boshqa kishini ega qiling.
sms-delete-text = Hisobingizni O'CHIRISH uchun user-auth kodi: { $code }. U { $minutes } daqiqa amal qiladi. Agar buni so'ramagan bo'lsangiz, e'tibor bermang.
account-deleted = Hisobingiz o'chirildi.
deleted-account = o'chirilgan hisob
deleted-account-id = O'chirilgan hisob №{ $id }
admin-field-deleted = O'chirilgan
admin-action-delete = Hisobni o'chirish
admin-confirm-delete = { $phone } hisobini o'chirasizmi? Uning seanslari darhol tugaydi, raqami bo'shaydi, kodi bilan qo'shilganlar yozuvini saqlab qoladi. Buni ortga qaytarib bo'lmaydi.
admin-done-delete = Hisob o'chirildi.
admin-audit-action-delete-account = hisobni o'chirdi
admin-audit-action-change-phone = raqamini almashtirdi

# email
email-title = Elektron pochta
email-verified = Tasdiqlangan manzil
email-pending = Tasdiqlash kutilmoqda
email-pending-hint = Bu manzilga havola yubordik. Manzilni tasdiqlash uchun uni oching; ungacha tasdiqlangan manzilingiz saqlanadi.
email-label = Elektron pochta manzili
email-label-change = Yangi elektron pochta manzili
email-hint = Tasdiqlash uchun havola yuboramiz. Havola bir marta, 24 soat ishlaydi.
email-send = Tasdiqlash havolasini yuborish
email-remove = Pochta manzilini olib tashlash
email-link-sent = Tasdiqlash havolasini yubordik. Manzilni tasdiqlash uchun uni oching.
email-removed = Pochta manzilingiz olib tashlandi.
email-error-empty = Elektron pochta manzilini kiriting.
email-error-too-long = Pochta manzili ko'pi bilan 254 belgidan iborat bo'lishi mumkin.
email-error-invalid = name@example.com ko'rinishidagi manzilni kiriting.
email-error-same = Bu allaqachon tasdiqlangan manzilingiz.
email-limit-account = Hisobingiz uchun juda ko'p havola yuborildi. { $retry }
email-limit-address = Bu manzilga juda ko'p havola yuborildi. { $retry }
email-link-invalid = Bu havoladan foydalanib bo'lmaydi: u ishlatilgan, yangisi yuborilgan yoki u to'liq emas. Profilingizdan yangi havola so'rang.
email-link-expired = Havolaning muddati tugagan. Profilingizdan yangi havola so'rang.
email-verify-title = Pochta manzilingizni tasdiqlang
email-verify-intro = Bu pochta manzilini hisobingiz uchun tasdiqlash uchun tugmani bosing.
email-verify-confirm = Manzilimni tasdiqlash
email-verified-done = { $email } manzilingiz tasdiqlandi.
email-mail-subject = user-auth uchun pochta manzilingizni tasdiqlang
email-mail-text = user-auth hisobingiz uchun { $email } manzilini tasdiqlash uchun ushbu havolani oching:

    { $link }

    Havola bir marta, { $hours } soat ishlaydi. Agar buni so'ramagan bo'lsangiz, bu xatga e'tibor bermang.
admin-field-email = Pochta
admin-field-email-pending = Tasdiqlash kutilayotgan pochta
admin-email-verified = { $email } ({ $when } tasdiqlangan)
admin-outbox-to = Kimga
admin-outbox-channel = Kanal
admin-outbox-channel-sms = SMS
admin-outbox-channel-email = pochta
