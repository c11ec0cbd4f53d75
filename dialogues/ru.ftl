## Everything the bot says, in Russian. Fluent syntax (https://projectfluent.org).
## Edit the wording here; Otklik reads this file at start (OTKLIK_DIALOGUES_DIR), no rebuild needed.
## Placeholders are in { $braces }; plural forms use the Russian categories one / few / many.

## Plurals

hours = { $n ->
    [one] { $n } час
    [few] { $n } часа
   *[many] { $n } часов
}
minutes = { $n ->
    [one] { $n } минута
    [few] { $n } минуты
   *[many] { $n } минут
}
minutes-ago = { $n ->
    [one] { $n } минуту
    [few] { $n } минуты
   *[many] { $n } минут
}
days = { $n ->
    [one] { $n } день
    [few] { $n } дня
   *[many] { $n } дней
}
working-days = { $n ->
    [one] { $n } рабочий день
    [few] { $n } рабочих дня
   *[many] { $n } рабочих дней
}
incidents-count = { $n ->
    [one] { $n } инцидент
    [few] { $n } инцидента
   *[many] { $n } инцидентов
}
photos = { $n ->
    [one] { $n } вложение
    [few] { $n } вложения
   *[many] { $n } вложений
}

## Dates: "пт, 27 нояб."

weekday-1 = пн
weekday-2 = вт
weekday-3 = ср
weekday-4 = чт
weekday-5 = пт
weekday-6 = сб
weekday-7 = вс
month-1 = янв.
month-2 = февр.
month-3 = марта
month-4 = апр.
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = авг.
month-9 = сент.
month-10 = окт.
month-11 = нояб.
month-12 = дек.
date-short = { $weekday }, { $day } { $month }
time-left = осталось { $left } рабочего времени
time-left-calendar = осталось { $left }
time-left-short = { $hours } ч { $minutes } мин
time-left-minutes = { $minutes } мин
time-overdue = ❗ срок истёк { $ago } назад
time-paused = ⏸ срок приостановлен: ждём ответа автора (останется { $left })
time-external = срок задаёт система мониторинга
time-by-curator = срок устанавливает куратор

## Networks and kinds

network-vk = ВКонтакте
network-ok = Одноклассники
network-telegram = Telegram
network-max = MAX
network-web = сайт
network-other = другая сеть
kind-comment = комментарий (публичный)
kind-direct = личное сообщение
kind-post = публикация

## Executor's card

card-title = Инцидент №{ $number }
card-title-high = 🔴 Инцидент №{ $number } · ВЫСОКАЯ важность
card-source = { $network } · { $kind }
card-topic = Тема: { $topic }
card-location = Локация: { $location }
card-author = — { $author }, { $date }
card-link = 🔗 { $url }
card-attachments = 📎 { $count }
card-repeat = 🔁 Повторное сообщение: ранее №{ $number }. В ответе укажите, что сделано.
card-repeat-answer = Ответ { $date }: «{ $text }»
card-deadline = ⏰ { $stage } до { $time }, { $date }
card-deadline-outside-hours = ⏰ { $stage } до { $time }, { $date } (вне рабочего времени)
card-left = { $left }
card-final = ответ жителю — до { $time }, { $date }
card-final-outside-hours = ответ жителю — до { $time }, { $date } (вне рабочего времени)
card-department-total = обработка в отделе — до { $time }, { $date }
card-department-total-outside-hours = обработка в отделе — до { $time }, { $date } (вне рабочего времени)
card-prepared-explanation = 📄 Разъяснение, подготовленное отделом: «{ $text }»
card-general-interest = 📢 Ответ общего интереса: после публикации — также на официальные страницы и сайт (ещё не размещён).
card-cross-posted = 📢 Ответ общего интереса размещён также: { $links }
card-explanation-deadline = 📄 разъяснение, если оно нужно, — до { $time }, { $date }
card-explanation-deadline-outside-hours = 📄 разъяснение, если оно нужно, — до { $time }, { $date } (вне рабочего времени)
card-part-of = Часть отдела: { $department }
stage-routing = направить
stage-competence_check = подтвердить компетенцию
stage-draft = проект ответа
stage-department_head_approval = согласование руководителем
stage-deputy_approval = согласование заместителем
stage-curator_review = согласование куратором
stage-rework = доработка
stage-publication = публикация
stage-department_total = обработка в отделе
stage-final = ответ
stage-explanation = разъяснение
stage-interim_to_final = окончательный ответ
stage-clarification_follow_up = напоминание, если автор не ответил на уточнение
text-truncated = … (текст сокращён)
card-superseded = Есть более новая версия — согласуйте её по следующей карточке.

status-routed = 📥 Новый, ждёт принятия
status-accepted = ✅ Принят в работу
status-draft_submitted = 📤 Проект ответа на согласовании
status-rework_requested = 🔁 Возвращён на доработку
status-clarification_approved = ❓ Уточнение согласовано, ждёт публикации
status-awaiting_author = ⏸ Уточнение опубликовано, ждём ответа автора
status-approved = ✅ Ответ согласован, ждёт публикации
status-awaiting_final = ⏳ Промежуточный ответ опубликован, готовится окончательный
status-done = ✔️ Ответ опубликован
status-returned = ↩️ Возвращён куратору
status-no_answer = 🚫 Без ответа
status-explanation_sent = 📄 Отправлено разъяснение
status-converted_to_appeal = 📨 Оформлено обращение по 59-ФЗ
status-closed = 🗄 Закрыт
status-line = Статус: { $status }

## Buttons (verbs; at most two a row)

btn-accept = ✅ Принять
btn-confirm-competence = ✅ Наша компетенция
btn-return = ↩️ Вернуть
btn-draft = ✍️ Подготовить ответ
btn-interim = ⏳ Промежуточный ответ
btn-clarify = ❓ Запросить уточнение
btn-send-approval = 📤 На согласование
btn-edit = ✏️ Изменить
btn-cancel = ✖️ Отмена
btn-attachments-done = ✅ Готово
btn-approve = ✅ Согласовать
btn-rework = 🔁 На доработку
btn-published = 🔗 Опубликовано
btn-handed-over = 📨 Передан в департамент
btn-repeat = 🔁 Повтор
btn-appeal-number = 📝 Рег. номер обращения
ask-appeal-number = 📝 Под каким номером отдел обращений зарегистрировал обращение из №{ $number }?
appeal-number-recorded = Регистрационный номер записан.
appeal-number-line = 📝 Обращение зарегистрировано: { $registration }
ask-repeat = 🔁 №{ $number } повторяет более раннее сообщение? Пришлите его номер (например, 1287) — или «-», если это не повтор.
bad-repeat = Нужен номер более раннего сообщения (например, 1287) или «-».
repeat-marked = 🔁 Отмечено как повторное: исполнитель увидит прежний ответ.
repeat-unmarked = Отметка «повторное» снята.
repeat-no-such = Сообщения с таким номером нет.
repeat-not-earlier = Повторять можно только более раннее сообщение — проверьте номер.
btn-cannot-publish = 🚫 Не удаётся опубликовать
btn-return-to-source = ↩️ Не наша компетенция — вернуть в систему мониторинга
btn-show-all = Показать полностью
btn-author-replied = 💬 Автор ответил
btn-clarification-posted = 📢 Запрос опубликован
btn-importance-normal = обычная
btn-importance-high = высокая
btn-route = 📨 Направить
btn-triage = 🗂 Разобрать
btn-no-answer = 🚫 Без ответа
btn-explanation = 📄 Разъяснение
btn-prepare-explanation = 📄 Разъяснение вместо ответа
btn-send-prepared-explanation = 📨 Отправить разъяснение отдела
btn-explanation-back = ↩️ Вернуть отделу
btn-general-interest = 📢 Общий интерес
btn-general-interest-off = 📢 Снять «общий интерес»
btn-cross-post-links = 🔗 Ссылки на сайт и страницы
btn-topic = 🏷 Тема
btn-location = 📍 Локация
btn-appeal = 📨 Обращение по 59-ФЗ
btn-reason-not-competence = Не наша компетенция
btn-reason-another-department = Другой отдел
btn-reason-duplicate = Дубликат
btn-no-answer-threats = Угрозы
btn-no-answer-obscenity = Нецензурная брань
btn-no-answer-insults = Оскорбления
btn-no-answer-unreadable = Нечитаемо
btn-explanation-not-competence = Не наша компетенция
btn-explanation-abuse = Злоупотребление правом
btn-explanation-court = Судебные акты
btn-explanation-already-answered = Уже отвечали
btn-explanation-answer-on-site = Ответ есть на сайте
btn-duty-take = ✅ Беру
btn-duty-dispatch = 📞 Передал в ЕДДС
checked = { $label } ✓

## Draft flow (executor, private chat)

ask-draft-text = ✍️ Напишите текст ответа на №{ $number } одним сообщением. Его увидит автор — пишите в тоне сети и по существу.
ask-interim-text = ⏳ Напишите промежуточный ответ на №{ $number }: что уже сделано и когда будет окончательный ответ.
ask-clarification-text = ❓ Напишите вопрос автору сообщения №{ $number }. Куратор согласует его; когда запрос опубликуют, срок (где это предусмотрено регламентом) остановится до ответа автора.
ask-attachments = Пришлите фото, видео или документы к ответу (по одному или альбомом), затем нажмите «Готово». Без вложений — сразу «Готово».
attachment-added = 📎 Добавлено: { $count }. Ещё или «Готово».
preview-answer = Проект ответа на №{ $number } ({ $network }, { $visibility }):
preview-interim = Промежуточный ответ на №{ $number } ({ $network }, { $visibility }):
preview-clarification = Вопрос автору сообщения №{ $number }:
visibility-public = публично
visibility-private = в личные сообщения
warn-phone = ⚠️ В тексте номер телефона { $value } — это данные жителя? Ответ { $visibility }.
warn-email = ⚠️ В тексте адрес почты { $value } — это данные жителя?
warn-document = ⚠️ В тексте номер, похожий на паспорт или СНИЛС: { $value }.
warn-too-long = ⚠️ Текст длиннее, чем допускает { $network } ({ $limit } знаков).
warn-repeat = ⚠️ Это повторное сообщение: напишите, какие меры приняты.
card-similar-header = 📚 Похожие опубликованные ответы:
card-similar-line = { $n }) №{ $number }, { $date }, { $department }: «{ $text }»
card-similar-line-nodept = { $n }) №{ $number }, { $date }: «{ $text }»
btn-draft-from = 📋 Взять за основу №{ $number }
draft-from = 📋 За основу взят ответ на №{ $number } от { $date }:
draft-from-next = Пришлите исправленный текст целиком — он заменит основу. Добавьте фото выполненных работ, если они есть, и нажмите «Готово».
draft-from-gone = Этого ответа уже нет в памяти: данные обезличены по сроку хранения.
btn-templates = 🗂 Шаблоны ({ $count })
templates-header = 🗂 Шаблоны ответов для №{ $number }{ $topic }. Выберите — текст откроется для правки:
templates-topic = , тема «{ $topic }»
templates-none = Шаблонов для этой темы нет. Кураторы добавляют их командой /template.
template-gone = Этого шаблона уже нет в библиотеке: откройте «Шаблоны» заново.
draft-from-template = 🗂 Шаблон «{ $name }»:
draft-from-template-next = Скопируйте текст (нажмите на него), заполните поля { $fields } и пришлите готовый ответ целиком — он заменит шаблон. Добавьте фото выполненных работ, если они есть, и нажмите «Готово».
warn-blanks = ⛔ Не заполнены поля шаблона: { $fields }. Нажмите «Изменить» и пришлите текст с заполненными полями — до этого ответ не уйдёт на согласование.
draft-blanks = Не заполнены поля { $fields }. Пришлите текст с заполненными полями.
template-usage = Шаблоны ответов (поля для заполнения — в квадратных скобках):
    /template Название; Тема; Текст — добавить или заменить шаблон для темы
    /template Название; Текст — шаблон для всех тем
    /template удалить Название — удалить
template-list-empty = Шаблонов ответов пока нет.
template-list-header = 🗂 Шаблоны ответов: { $count }
template-list-line = • { $name } — { $topic }
template-topic = тема «{ $topic }»
template-any-topic = для всех тем
template-saved = ✅ Шаблон «{ $name }» добавлен ({ $topic }).
template-replaced = ✅ Шаблон «{ $name }» заменён ({ $topic }).
template-fields = Поля для заполнения: { $fields }.
template-removed = ✅ Шаблон «{ $name }» удалён.
template-not-found = Шаблона «{ $name }» нет. Список: /template
template-name-too-long = Название шаблона длиннее { $limit } знаков: сократите его.
template-too-long = Текст шаблона длиннее { $limit } знаков: сократите его.
find-usage = Напишите, что искать, например: /find отопление Ленина
find-staff-only = Поиск по ответам доступен исполнителям, начальникам отделов и кураторам.
find-empty = По запросу «{ $query }» опубликованных ответов нет.
find-header = 🔎 Опубликованные ответы по запросу «{ $query }»:
find-line = №{ $number }, { $date }, { $department }:
warn-promise = ⚠️ Обещание без срока: «{ $sentence }». Укажите дату или срок — иначе ЦУР вернёт ответ как формальный.
warn-laws = ⚠️ Ссылок на законы и акты: { $found } (допустимо не больше { $allowed }). Объясните простыми словами, что сделано.
warn-formula = ⚠️ Канцелярская формулировка «{ $formula }»: напишите, что конкретно сделано или когда будет сделано.
warn-no-photo = ⚠️ По этой теме к ответу нужно фото выполненных работ — его нет.
# Канцелярские формулировки, за которые ЦУР возвращает ответы как формальные. По одной в строке;
# регистр и «ё» не важны. Проект ответа с любой из них помечается предупреждением.
check-formulas =
    в установленном порядке
    в рамках компетенции
    в рамках полномочий
    принято к сведению
    приняты к сведению
    в ближайшее время
    по мере финансирования
    по мере возможности
    при наличии финансирования
    при наличии возможности
    в порядке очередности
    находится на контроле
    взят на контроль
    проводится работа
    ведется работа
    будет рассмотрен вопрос
    будет рассмотрена возможность
draft-sent = 📤 Отправлено на согласование.
draft-cancelled = Черновик удалён.
draft-empty = Пришлите текст ответа сообщением.
use-preview-buttons = Проект уже готов: нажмите «На согласование», «Изменить» или «Отмена» под ним.

## The curator's own answer to an emergency on days off (Vorsino 2.10, Yuzhno-Sakhalinsk 3.9)

btn-own-answer = ✍️ Ответить самому
btn-own-answer-send = 📤 Ответить
ask-own-answer = ✍️ Напишите ответ на №{ $number } одним сообщением (можно с фото). В выходные и праздничные дни по регламенту отвечает куратор: ответ уйдёт без согласования.
own-answer-preview = Ваш ответ на №{ $number } — так его увидит автор:
use-own-preview-buttons = Ответ уже готов: нажмите «Ответить», «Изменить» или «Отмена» под ним.
own-answer-recorded = ✍️ Ответ на №{ $number } записан.
own-answer-auto = «Отклик» опубликует ответ на №{ $number } сам — ответом на комментарий.
ask-own-answer-link = 🔗 Опубликуйте ответ на №{ $number } и пришлите ссылку на него.
own-answer-line = ✍️ Ответ куратора: { $name }, { $time }

## Rework, return, publication

ask-rework-comment = 🔁 Ответьте на это сообщение: что доработать в проекте №{ $number }?
ask-return-reason = ↩️ Почему возвращаете №{ $number }?
ask-return-comment = Коротко поясните (например, какой отдел). Или «-», если пояснять нечего.
return-reason-chosen = ↩️ №{ $number }: причина возврата — { $reason }.
ask-link = 🔗 Пришлите ссылку на опубликованный ответ на №{ $number }.
ask-cannot-publish = 🚫 Почему ответ на №{ $number } не удаётся опубликовать? Напишите коротко — это увидят кураторы и система мониторинга.
ask-return-to-source = ↩️ №{ $number } вернётся в систему мониторинга как не относящийся к компетенции. Напишите коротко почему (например, чья это компетенция).
ask-author-reply = 💬 Пришлите ответ автора на уточнение по №{ $number }.
ask-curator-deadline = ⏰ Укажите срок «{ $stage }» для №{ $number } в формате ДД.ММ ЧЧ:ММ (местное время).
bad-link = Нужна ссылка вида https://… — пришлите её ещё раз.
bad-datetime = Не понял дату. Пример: 27.11 15:30
bad-comment = Комментарий не может быть пустым.

## Notices (a new message only when the person must act)

notice-rework = 🔁 №{ $number }: проект возвращён на доработку.
    Комментарий: «{ $comment }»
    Ваш текст:
    «{ $text }»
notice-rework-due = ⏰ Доработать до { $time }, { $date }
notice-author-reply = 💬 №{ $number }: автор ответил на уточнение:
    «{ $text }»
    Срок снова идёт.
notice-publish-executor = 🔗 №{ $number }: ответ согласован. Опубликуйте его в течение регламентного срока и пришлите ссылку.
notice-importance = 🔴 №{ $number }: важность повышена до ВЫСОКОЙ, сроки сокращены.
notice-escalation = 🔴 Важное сообщение №{ $number } ({ $network })
notice-explanation-prepared = 📄 №{ $number }: разъяснение от подразделения «{ $department }» — проверьте и отправьте автору.
ask-explanation-back = ↩️ Что исправить в разъяснении по №{ $number }? Напишите одним сообщением — отдел получит его вместе с карточкой.
explanation-returned = ↩️ Разъяснение возвращено отделу.
notice-explanation-returned = ↩️ №{ $number }: куратор вернул разъяснение — «{ $comment }». Подготовьте его заново.
notice-cross-post = 📢 №{ $number }: ответ интересен многим — разместите его также на официальных страницах и сайте администрации (раздел для населения) и пришлите ссылки.
cross-post-answer = Опубликованный ответ: { $links }
notice-cannot-publish = 🚫 №{ $number }: ответ не удаётся опубликовать — { $reason }
notice-weekend = 🚨 Выходной день · ВЫСОКАЯ важность
notice-burst = 📈 Всплеск активности: { $count } сообщений на тему «{ $topic }» за последний час (последнее — №{ $number }).
retention-removed = [удалено по истечении срока хранения]
notice-undeliverable = ⚠️ №{ $number }: мессенджер отклонил сообщение (получатель: { $whom }), повторная отправка не поможет. Найдите №{ $number } через /open и передайте нужное вручную.
undeliverable-group = группа
notice-unreachable = ⚠️ Не удаётся написать { $name }: человек не открыл бота или заблокировал его. №{ $number } ждёт.
notice-unreachable-answer = ⚠️ Не удаётся написать { $name }: человек не открыл бота или заблокировал его — ответы бота до него не доходят.
notice-competence = №{ $number } поступил в ваш отдел: подтвердите компетенцию или верните.
notice-return-proposed = №{ $number }: исполнитель { $name } считает, что сообщение не для вашего отдела ({ $reason }): «{ $comment }». Решаете вы: верните его куратору или подтвердите компетенцию отдела.
notice-return-proposed-bare = №{ $number }: исполнитель { $name } считает, что сообщение не для вашего отдела ({ $reason }). Решаете вы: верните его куратору или подтвердите компетенцию отдела.
ok-return-proposed = Передано руководителю отдела: компетенцию отдела решает он. Пока он не решил, сообщение остаётся за вами.
notice-competence-confirmed = №{ $number }: руководитель отдела подтвердил компетенцию — готовьте проект ответа.
duty-taken-line = ✅ №{ $number }: взял дежурный { $name }, { $time }
duty-nobody-took = ⚠️ Никто из дежурных пока не взял это сообщение.
duty-phones = 📞 Руководители отделов: { $phones }
duty-departments = 📞 На связи от подразделений сегодня:
duty-missing = ⚠️ На нерабочие дни не назначен дежурный: { $days }
    Назначьте: /duty_add Фамилия; ДД.ММ–ДД.ММ

## Reminders and deadlines (the scheduler)

reminder-title = ⏰ №{ $number }: до срока «{ $stage }» { $left } рабочего времени (до { $time }, { $date })
reminder-title-calendar = ⏰ №{ $number }: до срока «{ $stage }» { $left } (до { $time }, { $date })
reminder-done = ✔️ Этот этап уже пройден.
overdue-title = ❗ №{ $number }: срок «{ $stage }» истёк ({ $time }, { $date })
overdue-holder = Держит: { $who }
late-title = ❗ №{ $number } просрочен на { $late } рабочего времени: «{ $stage }»
late-title-calendar = ❗ №{ $number } просрочен на { $late }: «{ $stage }»
holder-curators = кураторы
btn-open = 📂 Открыть

## Overviews and the morning digest

overview-open-title = 📋 Открытые: { $count } (стр. { $page } из { $pages })
overview-overdue-title = ❗ Просроченные: { $count } (стр. { $page } из { $pages })
overview-open-empty = Открытых сообщений нет 👍
overview-overdue-empty = Просроченных нет 👍
overview-not-routed = Не распределены
overview-line = • №{ $number } · { $topic } · { $who } · { $stage } · { $when }
overview-line-paused = • №{ $number } · { $topic } · ⏸ ждём ответа автора
overview-left = осталось { $span }
overview-late = ❗ просрочено на { $span }
overview-due-at = срок в { $time }
overview-just-late = ❗ срок истёк
btn-page-back = ◀ Назад
btn-page-next = Дальше ▶
btn-overdue = ❗ Просроченные
btn-overview = 📋 Открыть обзор
digest-title = 🌅 Сводка на { $date }, { $time }
digest-arrived = Поступило с { $since }: { $count }
digest-significant = ❗ Значимые (высокая важность): { $numbers }.
collapsed = 📨 Ещё { $count ->
        [one] { $count } новое сообщение ждало
        [few] { $count } новых сообщения ждали
       *[many] { $count } новых сообщений ждали
    } отправки в этот чат — чтобы не засыпать чат, они собраны в обзоре.
backlog = 📨 Ещё { $count ->
        [one] { $count } новое сообщение
        [few] { $count } новых сообщения
       *[many] { $count } новых сообщений
    } — чтобы карточки не задерживали то, что ждёт ответа, они собраны здесь. Нажмите номер: карточка придёт в ваш личный чат с ботом.
backlog-done = ✅ Все сообщения из этого списка разобраны.
duty-dispatched-line = 📞 №{ $number }: дежурный { $name } передал в ЕДДС, { $time }

## Curator group

triage-title = 🆕 Новое сообщение №{ $number } · { $network } · { $kind }
triage-importance = Важность:
triage-route-hint = Отметьте отделы и нажмите «Направить».
triage-group-hint = Нажмите «Разобрать»: карточка с отделами придёт вам в личный чат с ботом.
approval-title = 📝 №{ $number } · { $what }
approval-what-answer = проект ответа
approval-what-interim = промежуточный ответ
approval-what-clarification = уточнение автору
approval-from = от: { $name } ({ $department })
approval-due = ⏰ согласовать до { $time } ({ $left })
approved-line = ✅ Согласовано: { $name }, { $time }
reworked-line = 🔁 На доработку: { $name }, { $time }
step-department_head = руководитель отдела
step-deputy = заместитель
step-curator = куратор
clarification-answered = 💬 Автор ответил, срок снова идёт.
notice-publish-in-doubt = ⚠️ №{ $number }: не удалось подтвердить, что ответ опубликован в комментариях канала. Проверьте под сообщением автора: если ответа нет — опубликуйте его сами; затем нажмите «Опубликовано» и пришлите ссылку.
publish-title = 🔗 №{ $number }: опубликуйте согласованный ответ и нажмите «Опубликовано».
publish-clarification = ❓ №{ $number }: опубликуйте вопрос автору и нажмите «Запрос опубликован». Когда автор ответит — нажмите «Автор ответил».
clarification-not-posted = Запрос согласован и ещё не опубликован.
clarification-not-posted-clock-runs = Запрос согласован и ещё не опубликован: срок идёт, пока запрос не опубликован.
clarification-posted = ⏸ Запрос опубликован { $time }, { $date }, ждём ответа автора.
clarification-posted-clock-stopped = ⏸ Запрос опубликован { $time }, { $date }: срок остановлен до ответа автора.
notice-clarification-unanswered = ⏳ №{ $number } ({ $department }): автор не ответил на запрос уточнения, опубликованный { $time }, { $date }.
clarification-unanswered-what-now = Напомните автору или решите, как быть дальше; когда автор ответит — нажмите «Автор ответил».
returned-title = ↩️ №{ $number } возвращён: { $department }, { $name }
    Причина: { $reason }{ $comment }
consolidate-title = 🧩 №{ $number }: все части согласованы. Отправьте сводный ответ сообщением в ответ на это.
status-title = №{ $number }: { $status }
published-line = 🔗 { $url }
handed-over-line = 📨 Ответ передан в департамент информационной политики { $date }, { $time }
published-auto = 🔗 №{ $number }: ответ опубликован в комментариях канала: { $url }
reason-not_our_competence = не наша компетенция
reason-another_department = другой отдел
reason-duplicate = дубликат

## Commands

# The bot was added to a group chat that is not an organisation's yet: what the administrator puts into the organisation file.
chat-added = Бот добавлен в этот чат. Чтобы сделать его чатом кураторов, администратор указывает в файле организации: curator_chat_id = { $chat }
chat-added-max = Бот добавлен в этот чат MAX. Чтобы сделать его чатом кураторов, администратор указывает в файле организации: curator_chat_id = { $chat } и curator_chat_messenger = "max" — и назначает бота администратором чата с правом читать все сообщения.
start-unknown = Здравствуйте! Этот бот работает только для сотрудников администрации. Попросите администратора прислать вам ссылку-приглашение.
help = «Отклик» помогает отвечать жителям в срок.
    • Карточка инцидента: «Принять», затем «Подготовить ответ» — бот попросит текст и вложения и покажет, как ответ увидит житель.
    • «Запросить уточнение» останавливает срок до ответа автора (если это предусмотрено регламентом).
    • «Вернуть» — если вопрос не вашей компетенции.
    /my — ваши открытые по срочности. /open — все открытые, /overdue — просроченные (кураторам и руководству).
    /settings — регламент. /duty — дежурные. /report — отчёт за период (кураторам и руководству).
    /find слова — опубликованные ответы на похожие сообщения.
    /admin — команды администратора и куратора.
my-empty = Открытых инцидентов нет 👍
my-header = Ваши открытые: { $count }
my-item = • №{ $number } — { $status }{ $due }
my-due = , до { $time } { $date }
role-executor = исполнитель
role-department_head = руководитель отдела
role-deputy = заместитель
role-curator = куратор
role-head = глава
role-duty_officer = дежурный
role-administrator = администратор

## Answers to button presses and errors

ok-accepted = Принято в работу.
ok-done = Готово.
ok-routed = Направлено.
ok-routed-to = Направлено: { $departments }.
ok-approved = Согласовано.
ok-clarification-posted = Записано: запрос опубликован.
ok-clarification-posted-clock-stopped = Записано: запрос опубликован, срок остановлен до ответа автора.
ok-importance-high = Важность: высокая. Сроки сокращены.
ok-importance-normal = Важность: обычная.
ok-department-ticked = ✓ { $department }. Отметьте другие отделы или нажмите «Направить».
ok-department-unticked = Отметка снята: { $department }.
ok-continue-in-private = Продолжите в личном чате с ботом — вопрос уже там.
ok-sent-to-private = Отправлено в ваш личный чат с ботом.
ok-card-in-private = Карточка №{ $number } — в вашем личном чате с ботом.
ok-published = Публикация записана.
ok-handed-over = Записано: ответ передан в департамент информационной политики.
ok-cannot-publish = Записано: причина сохранена и видна кураторам.
ok-returned-to-source = Возвращено в систему мониторинга.
cannot-publish-line = 🚫 Не удаётся опубликовать: { $reason }
returned-to-source-line = ↩️ Возвращено в систему мониторинга: { $reason }
ok-duty-taken = Вы взяли сообщение в работу.
ok-duty-dispatched = Записано: передано в ЕДДС.
already-done = Это уже сделано.
err-not-allowed = Эта кнопка не для вас.
err-open-private-chat = Это продолжается в личном чате с ботом, а он у вас ещё не открыт: найдите бота в поиске, нажмите «Старт» и повторите.
err-wrong-state = Сейчас это действие недоступно: карточка устарела.
err-stale = Проект уже изменён — откройте новую версию.
err-not-in-regulation = Регламент вашей организации этого не предусматривает.
err-invalid = Не получилось: проверьте введённые данные.
err-unknown-user = Вы не зарегистрированы в «Отклике». Обратитесь к администратору.
err-internal = Что-то пошло не так. Попробуйте ещё раз через минуту.
err-no-department = Отметьте хотя бы один отдел.
err-no-executor = В отделе «{ $department }» нет исполнителя.
unknown-input = Не понял. /help — справка.
input-expired = ⌛ Время на ввод истекло, введённое не сохранено. Нажмите кнопку на карточке ещё раз.
input-cancelled = Ввод отменён.
ask-explanation-text = 📄 Пришлите текст разъяснения по №{ $number } одним сообщением. Шаблон ниже: скопируйте, впишите вместо […] нужное и отправьте.
explanation-fill-placeholders = В тексте остались места в квадратных скобках […]. Впишите вместо них нужное и пришлите текст ещё раз.
explanation-recorded = 📄 Разъяснение записано. Опубликуйте его в ответ автору.
explanation-recorded-auto = 📄 Разъяснение записано. «Отклик» опубликует его в ответ под комментарием автора.
notice-explanation-in-doubt = 📄 №{ $number }: неизвестно, опубликовалось ли разъяснение под комментарием автора. Проверьте и, если его там нет, опубликуйте вручную: «{ $text }»
notice-posting-in-doubt = ⚠️ №{ $number }: неизвестно, опубликовался ли запрос под комментарием автора. Проверьте, прежде чем публиковать его снова.
notice-explanation-to-post = 📄 №{ $number }: разъяснение не удалось опубликовать под комментарием автора. Опубликуйте его вручную: «{ $text }»
ask-cross-post-links = 🔗 Пришлите ссылки, где ответ по №{ $number } размещён на официальных страницах и сайте, — одним сообщением, через пробел или с новой строки.
bad-cross-post-links = Нужны ссылки, начинающиеся с https://, через пробел или с новой строки, без другого текста. Пришлите их ещё раз.
cross-posts-recorded = 🔗 Ссылки записаны.
ok-general-interest = Отмечено: ответ общего интереса.
ok-general-interest-off = Отметка «общий интерес» снята.
explanation-prepared = 📄 Разъяснение передано куратору: он отправит его автору.
explanation-prepared-sent = 📄 Разъяснение по №{ $number } записано как отправленное. Опубликуйте его в ответ автору:

    { $text }
explanation-prepared-sent-auto = 📄 Разъяснение по №{ $number } записано как отправленное. «Отклик» опубликует его в ответ под комментарием автора:

    { $text }
no-answer-done = 🚫 №{ $number } отмечен: без ответа.
ask-no-answer-reason = 🚫 Почему №{ $number } без ответа?
ask-explanation-kind = 📄 Какое разъяснение по №{ $number }?
ask-consolidated = 🧩 Пришлите текст сводного ответа на №{ $number } одним сообщением.
full-text = Полный текст №{ $number }:
ask-topic = 🏷 Тема для №{ $number } (например: ЖКХ / отопление):
ask-location = 📍 Локация для №{ $number } (улица, дом, населённый пункт):
ask-appeal-consent = 📨 Оформление обращения по 59-ФЗ из №{ $number }.
    Автор согласен, чтобы его сообщение и контакты передали в отдел по работе с обращениями граждан? Получите согласие и пришлите «да» (или /cancel).
appeal-consent-needed = Без согласия автора обращение не оформить. Пришлите «да», когда автор согласится, или /cancel.
ask-appeal-name = Согласие записано. Фамилия, имя и отчество автора:
ask-appeal-address = Почтовый адрес или e-mail автора для ответа:
ask-appeal-phone = Телефон автора для оперативной связи — только с его согласия; «-», если телефона нет:
appeal-done = 📨 №{ $number } оформлен как обращение по 59-ФЗ. Отправьте это письмо в отдел по работе с обращениями граждан:
appeal-sent = 📨 №{ $number } оформлен как обращение по 59-ФЗ; письмо уходит в отдел по работе с обращениями граждан ({ $office }).
appeal-no-phone = не указан
appeal-subject = Обращение гражданина из социальной сети (№{ $number })
appeal-body = { $organisation }: сообщение из социальной сети оформлено как обращение гражданина (59-ФЗ) с согласия автора.

    Заявитель: { $name }
    Адрес для ответа: { $address }
    Телефон: { $phone }
    Источник: { $network }, { $url }
    Дата сообщения: { $date }

    Текст обращения:
    { $text }

## Reply templates for explanations: the curator fills in every […] before sending
## (Vorsino 2.7.1, Sakhalin 3.6 ¶2 and 3.7 ¶2: the competent body, the appeal procedure, the site)

explanation-not-competence = Здравствуйте! Вопрос, поставленный в сообщении, не относится к полномочиям администрации. Он относится к компетенции [орган или должностное лицо]; обратиться можно [адрес, телефон или сайт].
explanation-abuse = Здравствуйте! Сообщение не может быть рассмотрено по существу: [чего требует автор] — это требование совершить действия в обход закона [какого закона или порядка], то есть злоупотребление правом (заведомо недобросовестное осуществление гражданских прав). Злоупотребление правом недопустимо (ст. 10 Гражданского кодекса РФ). По существу вопроса можно обратиться в установленном законом порядке: [куда и как].
explanation-court = Здравствуйте! Вопрос, поставленный в сообщении, разрешён судебным актом: [суд, дата и номер решения]. Администрация не вправе пересматривать судебные решения; обжаловать его можно в порядке, установленном процессуальным законодательством: [куда и в какой срок подаётся жалоба].
explanation-already-answered = Здравствуйте! На этот вопрос ранее неоднократно давались ответы по существу, а новых доводов или обстоятельств в сообщении нет, поэтому повторно он не рассматривается. Последний ответ: [ссылка на ответ или его дата].
explanation-answer-on-site = Здравствуйте! Ответ на поставленный вопрос размещён на официальном сайте администрации: [адрес страницы].

## Invites and administration in chat

invite-welcome = Здравствуйте, { $name }! Вы подключены к «Отклику»: { $roles }.
invite-what-executor = • Сюда будут приходить карточки сообщений жителей для вашего отдела — с кнопками и сроками.
invite-what-curator = • В группе кураторов — новые сообщения для распределения, проекты ответов на согласование и публикацию.
invite-what-department-head = • Сообщения, поступившие в ваш отдел, — подтвердить компетенцию и согласовать ответы.
invite-what-deputy = • Проекты ответов на согласование.
invite-what-head = • Сообщения высокой важности и всплески активности — сразу; отчёты — по расписанию.
invite-what-duty = • В выходные и праздники — экстренные сообщения по графику дежурств.
invite-what-admin = • /invite ФАМИЛИЯ — ссылка-приглашение сотруднику; /settings — регламент и календарь; /duty — дежурные.
invite-unknown = Ссылка-приглашение не найдена. Попросите администратора прислать новую.
invite-expired = Срок действия приглашения истёк. Попросите администратора прислать новую ссылку.
invite-used = Это приглашение уже использовано. Если это были не вы — сообщите администратору.
invite-taken = Этот аккаунт Telegram уже привязан к другому сотруднику. Обратитесь к администратору.
invite-link = Ссылка-приглашение для { $name } (действует { $days }):
    { $link }
invite-usage = Напишите: /invite и часть фамилии сотрудника.
invite-not-found = Сотрудник «{ $query }» не найден.
invite-many = Нашлось несколько сотрудников, уточните: { $names }
admin-only = Эта команда — для администратора или куратора.

settings-title = ⚙️ Регламент: { $name }
settings-calendar = Календарь: производственный { $first }–{ $last } гг., часовой пояс { $zone }.
settings-normal = Сроки (обычная важность):
settings-high = Высокая важность — иначе:
settings-line = • { $stage }: { $rule }
rule-within = { $duration } { $clock } { $from }
rule-at-once = сразу
rule-min-working = , но не меньше { $duration } рабочего времени
rule-working-days = { $days } { $from }
rule-before-final = не позднее чем за { $duration } рабочего времени до срока ответа
rule-external = срок из системы мониторинга
rule-curator = срок устанавливает куратор
rule-same-as = в срок этапа «{ $stage }»
clock-working = рабочего времени
clock-calendar = календарного времени
clock-calendar_skipping_non_working_days = без учёта выходных и праздников
from-detection = с момента выявления
from-routed = с момента поступления исполнителю
from-approval_step_started = с момента поступления на согласование
from-approved = после согласования
from-rework_requested = после возврата на доработку
from-interim_published = после промежуточного ответа
settings-departures = Где профиль читает текст регламента не буквально:
settings-departure = • { $stage }: { $why }
settings-departure-high = • { $stage } (высокая важность): { $why }
settings-publisher-curator = Публикует ответ: куратор.
settings-publisher-executor = Публикует ответ: исполнитель.
settings-explanations-department = Разъяснения готовит подразделение, куратор их отправляет.
settings-cross-posting = Ответы общего интереса размещаются также на официальных страницах и сайте.
settings-curator-schedule = Куратор работает по своему графику ({ $hours }): по нему считаются сроки направления, согласования, публикации и разъяснений.
settings-pauses = Запрос уточнения останавливает срок с момента его публикации до ответа автора.
settings-follow-up = Если автор не ответил на уточнение, исполнителю и кураторам напоминается через { $term } после публикации запроса.
term-within = { $duration } { $clock }
settings-weekend-next_working_day = Сообщения выходных дней — в первый рабочий день.
settings-weekend-curator = В выходные экстренные сообщения обрабатывает куратор.
settings-weekend-duty_officer = В выходные экстренные сообщения — дежурным по графику.
settings-reports-weekly = Еженедельный отчёт: { $weekday }, { $time }.
settings-reports-monthly = Ежемесячный отчёт главе: в первый рабочий день месяца, { $time }.
duty-title = 🛡 Дежурства: сегодня и неделя вперёд
duty-line = • { $date }: { $names }
duty-line-working = • { $date } — рабочий день
duty-line-nobody = • { $date } — ⚠️ никто не назначен
admin-help = Команды администратора и куратора (части через «;»):
    /away Петров; 24.11–28.11; отпуск; Иванов — отсутствие и замещающий
    /back Петров — досрочно вернуть из отсутствия
    /add Новиков Павел Андреевич; исполнитель; Отдел ЖКХ — добавить сотрудника (и получить приглашение)
    /move Петров; Благоустройство — перевести в другой отдел
    /deactivate Петров — отключить сотрудника; /activate Петров — включить снова
    /duty_add Кузнецов; 31.12–10.01 — дежурство (; Отдел ЖКХ — на связи от подразделения); /duty_remove Кузнецов — снять с дежурств; /duty — кто дежурит
    /invite Петров — ссылка-приглашение; /settings — регламент и календарь
    /template — шаблоны ответов: /template Название; Тема; Текст с [полями]
admin-bad-format = Не понял команду. Пример: { $example }
admin-bad-dates = Не понял даты. Пример: 24.11–28.11
admin-bad-reason = Причина — одно из слов: болезнь, отпуск, командировка, учёба; или «иное: » и причина своими словами.
admin-bad-role = Неизвестная роль «{ $role }». Роли: исполнитель, руководитель отдела, заместитель, куратор, глава, дежурный, администратор.
admin-no-department = Отдел «{ $name }» не найден.
admin-self-substitute = Сотрудник не может замещать сам себя: укажите другого замещающего.
away-done = ✅ { $substitute } замещает { $person } с { $from } по { $to } ({ $reason }). Передано открытых инцидентов: { $count }.
back-done = ✅ { $person } снова на месте: новые инциденты приходят ему.
deactivate-done = ✅ { $person } отключён: больше не может работать с инцидентами.
activate-done = ✅ { $person } снова подключён.
move-done = ✅ { $person } теперь в отделе «{ $department }».
add-done = ✅ Добавлен сотрудник { $person }.
duty-done = ✅ { $person } дежурит с { $from } по { $to }.
duty-done-department = ✅ { $person } на связи от подразделения «{ $department }» с { $from } по { $to }.
duty-removed = ✅ { $person } снят с предстоящих дежурств.
reason-illness = болезнь
reason-vacation = отпуск
reason-business_trip = командировка
reason-study = учёба

## A new incident entered by the curator (/new or a forwarded message)

new-ask-link = 🆕 Новое сообщение. Пришлите ссылку на него (или «-», если ссылки нет).
new-ask-network = Из какой сети? Напишите: ВК, ОК, Telegram, MAX, сайт или другое.
new-ask-author = Автор (имя или ник; «-», если неизвестен):
new-ask-text = Текст сообщения жителя:
new-bad-network = Не понял сеть. Напишите: ВК, ОК, Telegram, MAX, сайт или другое.
new-author-unknown = автор не указан
new-created = ✅ Создан инцидент №{ $number }: карточка — в группе кураторов.
new-repeat = 🔁 Это повторное сообщение: ранее №{ $number }.

## Reports (/report, the weekly and monthly summaries)

report-not-allowed = Отчёты доступны кураторам, главе, заместителям и администратору.
report-choose = 📊 За какой период отчёт? Или напишите две даты: /report 01.11.2026 15.11.2026
report-this-week = Эта неделя
report-last-week = Прошлая неделя
report-this-month = Этот месяц
report-last-month = Прошлый месяц
report-bad-dates = Не понял даты. Напишите так: /report 01.11.2026 15.11.2026 (или одну дату — отчёт за день).
report-outside-calendar = Отчёт можно построить только за { $first }–{ $last } гг.: на эти годы загружен производственный календарь.
report-title-weekly = 📊 Еженедельный отчёт: { $period }
report-title-monthly = 📊 Отчёт за месяц: { $period }
report-title-period = 📊 Отчёт за { $period }
report-same = столько же, сколько
report-line-total = Сообщений: { $total } ({ $change } к предыдущему периоду)
report-line-outcomes = Отвечено в срок: { $in_time } из { $answered } ({ $share }); с нарушением срока: { $late }; в работе: { $open }
report-line-time = До публикации: медиана { $median } раб. ч, 90% — до { $p90 } раб. ч
report-line-violations = Нарушений сроков: { $violations }; сообщений с эскалацией: { $escalated }
report-line-quality = Доработок: { $reworks }; согласовано с первого раза: { $first_try }
report-line-topics = Чаще всего: { $topics }
report-line-repeats = Повторных: { $repeats }; всплесков: { $bursts }
report-chart-caption = 📈 Сообщения по дням и доля ответов в срок по отделам
report-workbook-caption = 📎 Таблица: сводка, нарушения сроков и все сообщения периода
report-chart-per-day = Сообщения по дням
report-chart-on-time = Ответы в срок по отделам
report-chart-nothing-answered = За период ответов ещё нет.
report-importance-normal = обычная
report-importance-high = высокая
report-made-at = Сформирован: { $time }
report-definitions = Сообщение относится к периоду, в котором выявлено. «В срок» — опубликовано без нарушения сроков этапов. Время — рабочие часы по календарю организации.
report-still-running = ещё не завершён
report-yes = да
report-no = нет
report-sheet-summary = Сводка
report-sheet-violations = Нарушения сроков
report-sheet-incidents = Сообщения
report-table-main = Основные показатели
report-table-departments = По отделам
report-table-executors = По исполнителям
report-table-sources = По соцсетям
report-table-importance = По важности
report-table-topics = По темам
report-table-locations = По территориям
report-table-bursts = Всплески (5 и более сообщений на одну тему за час)
report-row-total = Всего сообщений
report-row-returned = С возвратом из отдела
report-row-repeats = Повторные обращения
report-row-bursts = Всплески
report-row-on-time-share = Доля ответов в срок
report-row-median = До публикации, медиана (раб. ч)
report-row-p90 = До публикации, 90-й процентиль (раб. ч)
report-row-violations = Нарушений сроков этапов
report-row-escalated = Сообщений с эскалацией
report-row-reworks = Доработок
report-row-first-try = Согласовано с первого раза
report-outcome-in_time = Отвечено в срок
report-outcome-late = Отвечено с нарушением срока
report-outcome-open = В работе
report-outcome-no_answer = Без ответа
report-outcome-explanation = Дано разъяснение
report-outcome-appeal = Переведено в обращение (59-ФЗ)
report-outcome-closed = Закрыто
report-holder-department-head = руководитель: { $department }
report-holder-deputies = заместитель
report-holder-head = глава
report-holder-curators = кураторы
report-col-figure = Показатель
report-col-period = Период
report-col-previous = Предыдущий период
report-col-department = Отдел
report-col-parts = Поручений
report-col-answered = Отвечено
report-col-on-time = В срок
report-col-on-time-share = Доля в срок
report-col-median = Медиана, раб. ч
report-col-p90 = 90%, раб. ч
report-col-reworks = Доработок
report-col-first-try = С первого раза
report-col-returned = Возвратов
report-col-violations = Нарушений
report-col-executor = Исполнитель
report-col-count = Сообщений
report-col-source = Соцсеть
report-col-importance = Важность
report-col-topic = Тема
report-col-location = Территория
report-col-started = Начало
report-col-number = №
report-col-link = Ссылка
report-col-stage = Этап
report-col-holder = Кто отвечал
report-col-deadline = Срок
report-col-ended = Завершён
report-col-late-hours = Просрочка, раб. ч
report-col-escalated = Эскалация
report-col-detected = Выявлено
report-col-routed = Направлено
report-col-first-draft = Первый проект
report-col-approved = Согласовано
report-col-published = Опубликовано
report-col-answer-hours = До публикации, раб. ч
report-col-outcome = Итог
report-col-repeat = Повтор
