//! The person's plan (PRSB care and support plan): about me, goals, actions and their logs, the
//! contingency plan, support and signposting, and the history of every change.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Patients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    PatientId,
    ReviewDate,
    ReviewWith,
}

#[derive(DeriveIden)]
enum AboutMe {
    Table,
    PatientId,
    WhatMatters,
    ImportantPeople,
    Communication,
    PleaseDo,
    PleaseDont,
    SupportHowWhen,
    AlsoWorthKnowing,
    SupportedBy,
}

#[derive(DeriveIden)]
enum Goals {
    Table,
    Id,
    PatientId,
    Title,
    Why,
    Importance,
    Success,
    TargetDate,
    Status,
    Conditions,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PlanActions {
    Table,
    Id,
    PatientId,
    GoalId,
    What,
    WhoKind,
    WhoName,
    Frequency,
    TimesPerWeek,
    Weekdays,
    DueBy,
    TimeOfDay,
    Confidence,
    Status,
    StartsOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActionLogs {
    Table,
    Id,
    ActionId,
    PatientId,
    Day,
    Outcome,
    Note,
    LoggedAt,
    LoggedBy,
    ClientId,
}

#[derive(DeriveIden)]
enum Contingency {
    Table,
    PatientId,
    WarningSigns,
    WhatToDo,
    Coping,
    Anticipatory,
}

#[derive(DeriveIden)]
enum ContingencyContacts {
    Table,
    Id,
    PatientId,
    Name,
    Role,
    Phone,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SupportItems {
    Table,
    Id,
    PatientId,
    GoalId,
    Name,
    Why,
    Contact,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PlanChanges {
    Table,
    Id,
    PatientId,
    At,
    ActorAccountId,
    ActorName,
    ActorKind,
    Section,
    RecordId,
    Summary,
    Detail,
}

fn to_patient<T: IntoIden + 'static>(
    table: T,
    col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Patients::Table, Patients::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Plans::Table)
                .col(uuid(Plans::PatientId).primary_key())
                .col(date_null(Plans::ReviewDate))
                .col(string_len_null(Plans::ReviewWith, 200))
                .foreign_key(&mut to_patient(Plans::Table, Plans::PatientId))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AboutMe::Table)
                .col(uuid(AboutMe::PatientId).primary_key())
                .col(text(AboutMe::WhatMatters))
                .col(text(AboutMe::ImportantPeople))
                .col(text(AboutMe::Communication))
                .col(text(AboutMe::PleaseDo))
                .col(text(AboutMe::PleaseDont))
                .col(text(AboutMe::SupportHowWhen))
                .col(text(AboutMe::AlsoWorthKnowing))
                .col(text(AboutMe::SupportedBy))
                .foreign_key(&mut to_patient(AboutMe::Table, AboutMe::PatientId))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Goals::Table)
                .col(pk_uuid(Goals::Id))
                .col(uuid(Goals::PatientId))
                .col(text(Goals::Title))
                .col(text(Goals::Why))
                .col(integer(Goals::Importance))
                .col(text(Goals::Success))
                .col(date_null(Goals::TargetDate))
                .col(string_len(Goals::Status, 20))
                .col(string_len(Goals::Conditions, 200))
                .col(timestamp_with_time_zone(Goals::CreatedAt))
                .foreign_key(&mut to_patient(Goals::Table, Goals::PatientId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("goals_patient")
                .table(Goals::Table)
                .col(Goals::PatientId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PlanActions::Table)
                .col(pk_uuid(PlanActions::Id))
                .col(uuid(PlanActions::PatientId))
                .col(uuid(PlanActions::GoalId))
                .col(text(PlanActions::What))
                .col(string_len(PlanActions::WhoKind, 20))
                .col(string_len(PlanActions::WhoName, 200))
                .col(string_len(PlanActions::Frequency, 20))
                .col(integer_null(PlanActions::TimesPerWeek))
                .col(string_len(PlanActions::Weekdays, 40))
                .col(date_null(PlanActions::DueBy))
                .col(string_len(PlanActions::TimeOfDay, 20))
                .col(integer(PlanActions::Confidence))
                .col(string_len(PlanActions::Status, 20))
                .col(date(PlanActions::StartsOn))
                .col(timestamp_with_time_zone(PlanActions::CreatedAt))
                .foreign_key(&mut to_patient(PlanActions::Table, PlanActions::PatientId))
                .foreign_key(
                    ForeignKey::create()
                        .from(PlanActions::Table, PlanActions::GoalId)
                        .to(Goals::Table, Goals::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("plan_actions_patient")
                .table(PlanActions::Table)
                .col(PlanActions::PatientId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ActionLogs::Table)
                .col(pk_uuid(ActionLogs::Id))
                .col(uuid(ActionLogs::ActionId))
                .col(uuid(ActionLogs::PatientId))
                .col(date(ActionLogs::Day))
                .col(string_len(ActionLogs::Outcome, 20))
                .col(text_null(ActionLogs::Note))
                .col(timestamp_with_time_zone(ActionLogs::LoggedAt))
                .col(uuid_null(ActionLogs::LoggedBy))
                .col(uuid_null(ActionLogs::ClientId).unique_key())
                .foreign_key(&mut to_patient(ActionLogs::Table, ActionLogs::PatientId))
                .foreign_key(
                    ForeignKey::create()
                        .from(ActionLogs::Table, ActionLogs::ActionId)
                        .to(PlanActions::Table, PlanActions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One log per action per day: logging again changes that day's answer.
        m.create_index(
            Index::create()
                .name("action_logs_action_day")
                .table(ActionLogs::Table)
                .col(ActionLogs::ActionId)
                .col(ActionLogs::Day)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("action_logs_patient_day")
                .table(ActionLogs::Table)
                .col(ActionLogs::PatientId)
                .col(ActionLogs::Day)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Contingency::Table)
                .col(uuid(Contingency::PatientId).primary_key())
                .col(text(Contingency::WarningSigns))
                .col(text(Contingency::WhatToDo))
                .col(text(Contingency::Coping))
                .col(text(Contingency::Anticipatory))
                .foreign_key(&mut to_patient(Contingency::Table, Contingency::PatientId))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ContingencyContacts::Table)
                .col(pk_uuid(ContingencyContacts::Id))
                .col(uuid(ContingencyContacts::PatientId))
                .col(string_len(ContingencyContacts::Name, 200))
                .col(string_len(ContingencyContacts::Role, 200))
                .col(string_len(ContingencyContacts::Phone, 40))
                .col(timestamp_with_time_zone(ContingencyContacts::CreatedAt))
                .foreign_key(&mut to_patient(
                    ContingencyContacts::Table,
                    ContingencyContacts::PatientId,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SupportItems::Table)
                .col(pk_uuid(SupportItems::Id))
                .col(uuid(SupportItems::PatientId))
                .col(uuid_null(SupportItems::GoalId))
                .col(string_len(SupportItems::Name, 200))
                .col(text(SupportItems::Why))
                .col(text(SupportItems::Contact))
                .col(string_len(SupportItems::Status, 20))
                .col(timestamp_with_time_zone(SupportItems::CreatedAt))
                .foreign_key(&mut to_patient(
                    SupportItems::Table,
                    SupportItems::PatientId,
                ))
                .foreign_key(
                    ForeignKey::create()
                        .from(SupportItems::Table, SupportItems::GoalId)
                        .to(Goals::Table, Goals::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PlanChanges::Table)
                .col(pk_uuid(PlanChanges::Id))
                .col(uuid(PlanChanges::PatientId))
                .col(timestamp_with_time_zone(PlanChanges::At))
                .col(uuid_null(PlanChanges::ActorAccountId))
                .col(string_len(PlanChanges::ActorName, 200))
                .col(string_len(PlanChanges::ActorKind, 20))
                .col(string_len(PlanChanges::Section, 40))
                .col(uuid_null(PlanChanges::RecordId))
                .col(text(PlanChanges::Summary))
                .col(text(PlanChanges::Detail))
                .foreign_key(&mut to_patient(PlanChanges::Table, PlanChanges::PatientId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("plan_changes_patient_at")
                .table(PlanChanges::Table)
                .col(PlanChanges::PatientId)
                .col(PlanChanges::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PlanChanges::Table.into_iden(),
            SupportItems::Table.into_iden(),
            ContingencyContacts::Table.into_iden(),
            Contingency::Table.into_iden(),
            ActionLogs::Table.into_iden(),
            PlanActions::Table.into_iden(),
            Goals::Table.into_iden(),
            AboutMe::Table.into_iden(),
            Plans::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
