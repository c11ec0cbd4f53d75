//! Answer templates: the organisation file's `[[templates]]` and the curators' `/template` keep
//! the library; «🗂 Шаблоны» on the executor's card lists those for the incident's topic, a
//! template opens the draft with its text, and the draft cannot go to approval while a field in
//! square brackets is left. Through the core, on SQLite and on PostgreSQL.

mod support;

use otklik::core::Action;
use otklik::domain::IncidentId;
use support::app::*;
use support::core_world::*;
use support::db::TestDb;

on_both_backends!(
    a_template_opens_the_draft_and_holds_it_until_its_fields_are_filled,
    curators_keep_the_library_with_a_command,
);

/// Topics and three templates, imported with the seeded organisation again.
const WITH_TEMPLATES: &str = r#"
[[topics]]
name = "Дороги"

[[topics]]
name = "Отопление"

[[templates]]
name = "Ямочный ремонт"
topic = "Дороги"
text = "Здравствуйте! Яму по адресу [адрес] заделают до [дата]. Спасибо, что сообщили."

[[templates]]
name = "Подача тепла"
topic = "Отопление"
text = "Здравствуйте! Подача тепла в дом [адрес] восстановлена [дата]."

[[templates]]
name = "Благодарность"
text = "Здравствуйте! Спасибо за сообщение, информация передана в работу."
"#;

async fn world_with_templates(db: &TestDb) -> World {
    let w = World::new(db, "vorsino").await;
    w.import_with(WITH_TEMPLATES).await;
    w
}

/// An incident routed to the executor, its topic set by the curator.
async fn on_topic(w: &World, text: &str, topic: &str) -> IncidentId {
    let inc = w.routed(text).await.id;
    let curator = w.curator().await;
    w.press(&curator, Action::SetTopic { inc }).await;
    assert_eq!(said(&w.say(&curator, topic).await), "");
    w.deliver().await;
    inc
}

/// The executor's card of an incident, as it looks now.
fn executor_card(w: &World, inc: IncidentId) -> otklik::core::View {
    let sent = w
        .sent(EXECUTOR_TG)
        .into_iter()
        .rev()
        .find(|s| s.view.actions().contains(&Action::Accept { inc, part: 0 }))
        .expect("the executor's card");
    w.now_shows(EXECUTOR_TG, sent.message)
}

async fn a_template_opens_the_draft_and_holds_it_until_its_fields_are_filled(db: &TestDb) {
    let w = world_with_templates(db).await;
    let inc = on_topic(&w, "Яма на дороге у дома 7 по ул. Мира", "Дороги").await;
    let number = w.store.incident(inc).await.unwrap().number;

    // The card offers the road template and the one for any topic, not the heating one.
    let card = executor_card(&w, inc);
    let list = Action::Templates { inc, part: 0 };
    assert!(card.actions().contains(&list), "{card:?}");
    assert!(card
        .buttons
        .iter()
        .flatten()
        .any(|b| b.label == "🗂 Шаблоны (2)"));

    let executor = w.executor().await;
    let listed = w.press(&executor, list).await;
    let shown = &listed.send[0];
    assert!(
        shown
            .plain()
            .starts_with(&format!("🗂 Шаблоны ответов для №{number}, тема «Дороги»")),
        "{}",
        shown.plain()
    );
    let labels: Vec<&str> = shown
        .buttons
        .iter()
        .flatten()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(labels, ["Ямочный ремонт", "Благодарность"]);
    let Action::DraftFromTemplate { template, .. } = shown.buttons[0][0].action else {
        panic!("{shown:?}");
    };

    // Picked: the draft holds the template's text; the prompt names the fields.
    let opened = w
        .press(
            &executor,
            Action::DraftFromTemplate {
                inc,
                part: 0,
                template,
            },
        )
        .await;
    let prompt = opened.send[0].plain();
    assert!(prompt.contains("🗂 Шаблон «Ямочный ремонт»"), "{prompt}");
    assert!(
        prompt.contains("Яму по адресу [адрес] заделают до [дата]"),
        "{prompt}"
    );
    assert!(
        prompt.contains("заполните поля [адрес], [дата]"),
        "{prompt}"
    );

    // «Готово» with the fields left: no «На согласование», and the reason.
    let preview = w.press(&executor, Action::AttachmentsDone { inc }).await;
    let shown = &preview.send[0];
    assert!(
        !shown.actions().contains(&Action::SendDraft { inc }),
        "{shown:?}"
    );
    assert!(
        shown
            .plain()
            .contains("⛔ Не заполнены поля шаблона: [адрес], [дата]."),
        "{}",
        shown.plain()
    );
    // An old button pressed anyway is refused, and nothing is submitted.
    let refused = w.press(&executor, Action::SendDraft { inc }).await;
    assert!(toast(&refused).starts_with("Не заполнены поля [адрес], [дата]."));
    let record = w.store.incident(inc).await.unwrap();
    assert!(record.workflow.parts[0].drafts.is_empty());

    // Filled in: it goes.
    w.press(&executor, Action::EditDraft { inc }).await;
    let filled = "Здравствуйте! Яму по адресу ул. Мира, 7 заделают до 15 мая 2027 года. \
                  Спасибо, что сообщили.";
    w.say(&executor, filled).await;
    let preview = w.press(&executor, Action::AttachmentsDone { inc }).await;
    assert!(preview.send[0]
        .actions()
        .contains(&Action::SendDraft { inc }));
    let sent = w.press(&executor, Action::SendDraft { inc }).await;
    assert_eq!(toast(&sent), "📤 Отправлено на согласование.");
    let record = w.store.incident(inc).await.unwrap();
    assert_eq!(record.workflow.parts[0].drafts[0].text, filled);

    // A template removed meanwhile: its old button says so.
    let curator = w.curator().await;
    w.core
        .command(&curator, "template", "удалить Ямочный ремонт")
        .await
        .unwrap();
    let other = on_topic(&w, "Провал асфальта на ул. Гагарина", "Дороги").await;
    let gone = w
        .press(
            &executor,
            Action::DraftFromTemplate {
                inc: other,
                part: 0,
                template,
            },
        )
        .await;
    assert_eq!(
        toast(&gone),
        "Этого шаблона уже нет в библиотеке: откройте «Шаблоны» заново."
    );
}

async fn curators_keep_the_library_with_a_command(db: &TestDb) {
    let w = world_with_templates(db).await;
    let curator = w.curator().await;
    let template = |args: &'static str| {
        let core = w.core.clone();
        async move {
            said(
                &core
                    .command(&curator, "template", args)
                    .await
                    .unwrap()
                    .unwrap(),
            )
        }
    };

    let list = template("").await;
    assert!(list.starts_with("🗂 Шаблоны ответов: 3"), "{list}");
    assert!(list.contains("• Ямочный ремонт — тема «Дороги»"), "{list}");
    assert!(list.contains("• Благодарность — для всех тем"), "{list}");
    assert!(list.contains("/template Название; Тема; Текст"), "{list}");

    // A topic named second (in any case); a second part that is no topic is the text's own.
    assert_eq!(
        template("Перерасчёт; отопление; Перерасчёт за [месяц] сделают до [дата].").await,
        "✅ Шаблон «Перерасчёт» добавлен (тема «Отопление»).\nПоля для заполнения: [месяц], [дата]."
    );
    assert_eq!(
        template("Общий; Здравствуйте; спасибо за обращение").await,
        "✅ Шаблон «Общий» добавлен (для всех тем)."
    );
    assert_eq!(
        template("общий; Здравствуйте! Вопрос решён.").await,
        "✅ Шаблон «Общий» заменён (для всех тем)."
    );
    assert_eq!(
        template("удалить Благодарность").await,
        "✅ Шаблон «Благодарность» удалён."
    );
    assert_eq!(
        template("удалить Такого нет").await,
        "Шаблона «Такого нет» нет. Список: /template"
    );
    assert!(template("Без текста")
        .await
        .starts_with("Шаблоны ответов (поля"));

    // Executors read templates on their cards but do not edit them.
    let executor = w.executor().await;
    let refused = w
        .core
        .command(&executor, "template", "Новый; текст")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        said(&refused),
        "Эта команда — для администратора или куратора."
    );

    // The library as an export shows it; re-importing the file keeps the curators' additions.
    let exported = w.store.export_directory("Администрация").await.unwrap();
    let names: Vec<(&str, Option<&str>, &str)> = exported
        .templates
        .iter()
        .map(|t| (t.name.as_str(), t.topic.as_deref(), t.text.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Общий", None, "Здравствуйте! Вопрос решён."),
            (
                "Перерасчёт",
                Some("Отопление"),
                "Перерасчёт за [месяц] сделают до [дата]."
            ),
            (
                "Подача тепла",
                Some("Отопление"),
                "Здравствуйте! Подача тепла в дом [адрес] восстановлена [дата]."
            ),
            (
                "Ямочный ремонт",
                Some("Дороги"),
                "Здравствуйте! Яму по адресу [адрес] заделают до [дата]. Спасибо, что сообщили."
            ),
        ]
    );
    w.import_with(WITH_TEMPLATES).await;
    let list = template("").await;
    assert!(list.starts_with("🗂 Шаблоны ответов: 5"), "{list}");

    // Each change is in the audit log, with who made it.
    let audit = w.store.directory_audit(w.seeded.org).await.unwrap();
    let commands: Vec<&str> = audit.iter().map(|a| a.command.as_str()).collect();
    assert_eq!(
        commands,
        [
            "directory.save_template",
            "directory.save_template",
            "directory.save_template",
            "directory.remove_template",
        ]
    );
    assert!(audit.iter().all(|a| a.actor == w.seeded.curator));
    assert_eq!(audit[0].payload["name"], "Перерасчёт");
}
