//! Local accounts: the password policy, changing one's own password, the
//! admin's reset link through the outbox, and switching local accounts off.

use reqwest::StatusCode;

use crate::helpers::{ADMIN, CONTRIBUTOR, PASSWORD, TEAM, TestApp};

const NEW_PASSWORD: &str = "ample lantern orbit 42";

#[tokio::test]
async fn a_person_changes_their_own_password_and_is_signed_out_elsewhere() {
    let app = TestApp::spawn().await;
    let elsewhere = app.signed_in(TEAM).await;
    let browser = app.signed_in(TEAM).await;
    for (current, new, confirm, problem) in [
        (
            "wrong password!",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "is not your current password",
        ),
        (PASSWORD, "short", "short", "at least 12 characters"),
        (
            PASSWORD,
            "password1234",
            "password1234",
            "most common passwords",
        ),
        (
            PASSWORD,
            NEW_PASSWORD,
            "something else entirely",
            "does not match",
        ),
    ] {
        let response = browser
            .submit(
                "/account",
                "/account/password",
                &[("current", current), ("new", new), ("confirm", confirm)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{problem}"
        );
        assert!(
            response.text().await.unwrap().contains(problem),
            "{problem}"
        );
    }
    let changed = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert!(
        browser
            .get_text("/account?changed=password")
            .await
            .contains("Your password was changed")
    );
    assert_eq!(
        elsewhere.get("/inbox").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.browser().sign_in(TEAM, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser().sign_in(TEAM, NEW_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_admin_sends_a_reset_link_that_works_once_and_expires() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(ADMIN).await;
    let cora: i64 = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT id FROM users WHERE email = ?1",
            [CONTRIBUTOR],
            |row| row.get(0),
        )?)
    });
    let page = format!("/admin/people/{cora}");
    let sent = admin.submit(&page, &format!("{page}/reset"), &[]).await;
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(
        sent.text()
            .await
            .unwrap()
            .contains("reset link is on its way")
    );
    let link = app.mailed_link(CONTRIBUTOR, "/reset/").await;

    let person = app.browser();
    let form = person.get(&link).await;
    assert_eq!(form.status(), StatusCode::OK);
    let weak = person
        .submit(&link, &link, &[("new", "short"), ("confirm", "short")])
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = person
        .submit(
            &link,
            &link,
            &[("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        person.get("/feedback/mine").await.status(),
        StatusCode::OK,
        "signed in by the link"
    );
    assert_eq!(
        app.browser()
            .sign_in(CONTRIBUTOR, NEW_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let reused = app.browser().get(&link).await;
    assert_eq!(reused.status(), StatusCode::GONE, "one use");

    admin.submit(&page, &format!("{page}/reset"), &[]).await;
    let second = app.mailed_link(CONTRIBUTOR, "/reset/").await;
    app.with_db(|connection| {
        connection.execute(
            "UPDATE password_resets SET expires_at = '2000-01-01 00:00:00+00:00'",
            [],
        )?;
        Ok(())
    });
    assert_eq!(
        app.browser().get(&second).await.status(),
        StatusCode::GONE,
        "expired"
    );
}

#[tokio::test]
async fn with_local_accounts_off_nobody_signs_in_with_a_password() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        local_accounts: false,
        ..config
    })
    .await;
    let browser = app.browser();
    let login = browser.get("/login").await;
    let token = super::set_cookie(&login, "earshot_csrf").expect("a CSRF cookie");
    let page = login.text().await.unwrap();
    assert!(!page.contains(r#"type="password""#), "no password form");
    let refused = browser
        .post_form(
            "/login",
            &[("email", TEAM), ("password", PASSWORD), ("csrf", &token)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("switched off"));
    assert_eq!(
        browser.get("/reset/rst_anything").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_reset_link_is_wiped_from_the_outbox_once_its_message_has_left() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(ADMIN).await;
    let cora: i64 = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT id FROM users WHERE email = ?1",
            [CONTRIBUTOR],
            |row| row.get(0),
        )?)
    });
    let page = format!("/admin/people/{cora}");
    admin.submit(&page, &format!("{page}/reset"), &[]).await;
    let link = app.mailed_link(CONTRIBUTOR, "/reset/").await;
    let token = link.trim_start_matches("/reset/").to_owned();
    // Once sent, the link is wiped in the same write and the database's
    // log is checkpointed after the pass: it is then in none of its files.
    let in_files = |token: &str| -> Vec<&'static str> {
        ["earshot.db", "earshot.db-wal"]
            .into_iter()
            .filter(|file| {
                let bytes = std::fs::read(app.data_dir.join(file)).unwrap_or_default();
                bytes
                    .windows(token.len())
                    .any(|window| window == token.as_bytes())
            })
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, body): (String, String) = app.with_db(|connection| {
            Ok(connection.query_row(
                "SELECT status, body_text FROM email_outbox WHERE to_address = ?1
                  ORDER BY id DESC LIMIT 1",
                [CONTRIBUTOR],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?)
        });
        let found = in_files(&token);
        if status == "sent" && !body.contains(&token) && found.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "status {status}; the link is still in the outbox row: {}; in {found:?}",
            body.contains(&token)
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
