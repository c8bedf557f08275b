use std::collections::HashMap;

use app::entities::{invitation, observation, patient, patient_condition};
use chrono::Duration;
use sea_orm::{EntityTrait as _, PaginatorTrait as _};

use crate::db_test;

db_test! {
    async fn seed_demo_creates_a_practice_with_three_patients_and_two_years_of_results(app) {
        let invites = demo::seed_demo(&app.state.app)
            .await
            .expect("seed");
        assert_eq!(invites.len(), 6, "two care-team members, three patients and Margaret's daughter");
        assert_eq!(invites.iter().filter(|i| i.role == "patient").count(), 3);
        assert!(invites.iter().any(|i| i.name == "Sian Evans" && i.role == "carer of Margaret (daughter)"));

        let patients = patient::Entity::find().all(&app.db).await.expect("patients");
        assert_eq!(patients.len(), 3);
        for p in &patients {
            assert!(app::nhs_number::NhsNumber::parse(&p.nhs_number).is_ok());
        }
        let mut conditions: Vec<String> = patient_condition::Entity::find()
            .all(&app.db)
            .await
            .expect("conditions")
            .into_iter()
            .map(|c| c.condition)
            .collect();
        conditions.sort();
        assert_eq!(conditions, ["ckd", "copd", "hypertension", "hypertension", "type2_diabetes"]);

        let results = observation::Entity::find().all(&app.db).await.expect("results");
        let mut span: HashMap<_, (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> = HashMap::new();
        for r in &results {
            let e = span.entry(r.patient_id).or_insert((r.taken_at, r.taken_at));
            e.0 = e.0.min(r.taken_at);
            e.1 = e.1.max(r.taken_at);
        }
        assert_eq!(span.len(), 3, "every patient has results");
        for (first, last) in span.values() {
            assert!(*last - *first >= Duration::days(700), "about two years of results");
        }
        let hba1c: Vec<f64> = results.iter().filter(|r| r.code == "hba1c").filter_map(|r| r.value_num).collect();
        assert!(hba1c.iter().all(|v| (40.0..=120.0).contains(v)), "{hba1c:?}");
    }
}

db_test! {
    async fn seed_demo_stores_only_token_hashes_and_runs_again_without_duplicates(app) {
        let first = demo::seed_demo(&app.state.app).await.expect("seed");
        let second = demo::seed_demo(&app.state.app).await.expect("seed again");
        assert_eq!(patient::Entity::find().count(&app.db).await.expect("count"), 3);
        assert_eq!(second.len(), 6);

        let stored: Vec<String> = invitation::Entity::find()
            .all(&app.db)
            .await
            .expect("invitations")
            .into_iter()
            .map(|i| i.token_hash)
            .collect();
        assert_eq!(stored.len(), 18, "the links made when each person joined two years ago, then fresh links each run");
        for invite in first.iter().chain(second.iter()) {
            let link = invite.link.clone().expect("nobody has signed up yet");
            let token = link.split("token=").nth(1).expect("link carries a token");
            assert!(token.len() >= 43, "at least 256 bits, base64url");
            assert!(!stored.contains(&token.to_owned()), "the token itself is never stored");
            assert!(stored.contains(&app::auth::invitation::hash_token(token)));
        }
    }
}
