//! The service page and the dashboard of the demo, on a desktop and on a
//! phone: nothing wider than the window, the time axis at a readable size
//! (scrolling sideways in its own frame on a phone), and
//! a screenshot of each under `target/screenshots/` for people to look at.

use earshot::clock::Clock;

use super::{DESKTOP, PHONE, in_browser};
use crate::helpers::TestApp;

const TEAM: &str = "sam.rivera@halcyon.example";

#[tokio::test]
async fn the_service_page_and_the_dashboard_fit_a_desktop_and_a_phone() {
    let at = "2026-05-20T10:00:00Z".parse().unwrap();
    let app = TestApp::spawn_demo(Clock::starting_at(at)).await;
    in_browser("screenshots", &app.address, async |browser| {
        browser.sign_in(TEAM, earshot::seed::DEMO_PASSWORD).await;
        for (path, name, wanted) in [
            ("/services/ci-runner", "service-page", "Over time"),
            ("/dashboard", "dashboard", "Satisfaction"),
        ] {
            for (size, window) in [("desktop", DESKTOP), ("phone", PHONE)] {
                browser.resize(window).await;
                browser.goto(path).await;
                browser.wait_for_text(wanted).await;
                let overflow = browser
                    .run_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                    )
                    .await;
                assert_eq!(
                    overflow.as_i64(),
                    Some(0),
                    "{path} is wider than a {size} window"
                );
                if path.starts_with("/services") {
                    let chart = browser
                        .run_script(
                            "const f = document.querySelector('figure.timeline').getBoundingClientRect();\
                             const s = document.querySelector('figure.timeline svg').getBoundingClientRect();\
                             return f.right <= document.documentElement.clientWidth && s.width >= 700;",
                        )
                        .await;
                    assert_eq!(chart.as_bool(), Some(true), "the time axis keeps a readable size in a frame that fits a {size} window");
                }
                let saved = browser.save_screenshot(&format!("{name}-{size}")).await;
                assert!(std::fs::metadata(&saved).is_ok_and(|file| file.len() > 1000));
            }
        }
    })
    .await;
}
