//! Answer memory on SQLite: finding the published answers to messages like a new one among
//! 100 000 remembered answers of one organisation (goal: under 20 ms), the way the executor's
//! card asks (its topic first, then the closest by FTS5's bm25 over Snowball stems).
//!
//! The history is made of varied municipal messages — heating, water, roads, rubbish, lighting,
//! snow, on forty streets — remembered through `Store::remember_answers` in one transaction.

use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use otklik::domain::{IncidentId, OrgId};
use otklik::storage::{NewOrganisation, RememberedAnswer, Store};

const ANSWERS: i64 = 100_000;

const PROBLEMS: [(&str, &str, &str); 6] = [
    (
        "ЖКХ / отопление",
        "Нет отопления в доме",
        "Подача тепла восстановлена, заменена задвижка",
    ),
    (
        "Водоснабжение",
        "Отсутствует холодная вода в доме",
        "Водоснабжение восстановлено после ремонта трубы",
    ),
    (
        "Дороги",
        "Яма на дороге у дома",
        "Яма заделана литым асфальтом",
    ),
    (
        "Мусор",
        "Не вывозят мусор с площадки у дома",
        "Мусор вывезен, площадка убрана",
    ),
    (
        "Освещение",
        "Не горят фонари у дома",
        "Заменены светильники, освещение включено",
    ),
    (
        "Снег",
        "Не убран снег во дворе дома",
        "Двор очищен от снега, вывезено 12 кубометров",
    ),
];

const STREETS: [&str; 40] = [
    "Ленина",
    "Мира",
    "Садовой",
    "Советской",
    "Гагарина",
    "Пушкина",
    "Лесной",
    "Школьной",
    "Молодёжной",
    "Набережной",
    "Заводской",
    "Полевой",
    "Центральной",
    "Новой",
    "Луговой",
    "Октябрьской",
    "Комсомольской",
    "Строителей",
    "Кирова",
    "Чехова",
    "Победы",
    "Зелёной",
    "Рабочей",
    "Северной",
    "Южной",
    "Песчаной",
    "Солнечной",
    "Береговой",
    "Вокзальной",
    "Парковой",
    "Речной",
    "Сосновой",
    "Лермонтова",
    "Горького",
    "Фрунзе",
    "Калинина",
    "Маяковского",
    "Некрасова",
    "Суворова",
    "Жукова",
];

async fn build(url: &str) -> Result<(Store, OrgId), Box<dyn std::error::Error>> {
    let store = Store::connect(url).await?;
    let new = NewOrganisation::preset("Бенчмарк", "vorsino").ok_or("no vorsino preset")?;
    let org = store.create_organisation(&new, Utc::now()).await?;
    let start = Utc
        .with_ymd_and_hms(2024, 1, 9, 9, 0, 0)
        .single()
        .ok_or("a date")?;
    let mut batch = Vec::new();
    for i in 0..ANSWERS {
        let (topic, message, answer) = PROBLEMS[(i % 6) as usize];
        let street = STREETS[((i / 6) % 40) as usize];
        let house = i % 97 + 1;
        batch.push(RememberedAnswer {
            incident: IncidentId(i + 1),
            org,
            number: i + 1,
            topic: Some(topic.into()),
            department: "Отдел ЖКХ".into(),
            at: start + Duration::minutes(i * 7),
            message: format!("{message} {house} по улице {street}, жители жалуются уже неделю"),
            answer: format!("{answer} по ул. {street}, д. {house}."),
        });
        if batch.len() == 10_000 {
            store.remember_answers(&batch).await?;
            batch.clear();
        }
    }
    store.remember_answers(&batch).await?;
    Ok((store, org))
}

fn bench(c: &mut Criterion) {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => panic!("a runtime: {e}"),
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("a temporary directory: {e}"),
    };
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let (store, org) = match rt.block_on(build(&url)) {
        Ok(s) => s,
        Err(e) => panic!("building the database: {e}"),
    };
    let mut group = c.benchmark_group("answer memory, 100 000 answers, SQLite");
    group.sample_size(50);
    group.measurement_time(StdDuration::from_secs(10));
    group.bench_function("similar answers for a new message", |b| {
        b.iter(|| {
            let found = rt.block_on(store.similar_answers(
                org,
                None,
                Some("ЖКХ / отопление"),
                "Третий день нет отопления в доме 5 на улице Ленина, батареи холодные",
                3,
            ));
            match found {
                Ok(found) => assert_eq!(found.len(), 3),
                Err(e) => panic!("the search: {e}"),
            }
        })
    });
    group.finish();
    rt.block_on(store.close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
