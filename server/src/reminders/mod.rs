//! Push reminders, the server's part: the VAPID key, sending one message to one device, and the
//! worker that leases due reminder jobs from the database and sends them. What a reminder says
//! and to whom is decided in `app::reminders`.
pub mod sender;
pub mod vapid;
pub mod worker;

pub use sender::Sender;
pub use worker::{Report, Worker, WorkerSettings};
