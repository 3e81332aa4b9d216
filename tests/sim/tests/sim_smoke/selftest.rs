//! Unit tests of the simulator's payloads (serenity must deserialise every one) and of its body
//! rules (compiled only into `sim_smoke`).

use poise::serenity_prelude as serenity;
use serde_json::{json, Value};

use holdfast_sim::rules::{self, MessageKind};
use holdfast_sim::*;

fn frame(event: &str, d: Value) -> serenity::Event {
    let text = json!({"op": 0, "t": event, "s": 7, "d": d}).to_string();
    match serde_json::from_str::<serenity::GatewayEvent>(&text) {
        Ok(serenity::GatewayEvent::Dispatch(7, event)) => event,
        other => panic!("{event} did not deserialise as a dispatch: {other:?}"),
    }
}

#[test]
fn ready_and_guild_create_deserialise_in_serenity() {
    let serenity::Event::Ready(ready) = frame("READY", ready("abc", "ws://127.0.0.1:1")) else { panic!("not READY") };
    assert_eq!(ready.ready.user.id.get(), BOT_USER_ID);
    assert_eq!(ready.ready.application.id.get(), APPLICATION_ID);
    let serenity::Event::GuildCreate(g) = frame("GUILD_CREATE", guild_create()) else { panic!("not GUILD_CREATE") };
    assert_eq!(g.guild.id.get(), GUILD_ID);
    assert_eq!(g.guild.roles.len(), 4);
    assert_eq!(g.guild.members.len(), 5);
    assert_eq!(g.guild.channels.len(), 2);
    let coach = &g.guild.members[&serenity::UserId::new(COACH_ID)];
    assert_eq!(coach.roles, vec![serenity::RoleId::new(COACH_ROLE)]);
    assert!(matches!(frame("RESUMED", json!({})), serenity::Event::Resumed(_)));
}

#[test]
fn control_frames_deserialise_in_serenity() {
    let parse = |v: Value| serde_json::from_str::<serenity::GatewayEvent>(&v.to_string()).expect("frame");
    let hello = parse(json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 41250}}));
    assert!(matches!(hello, serenity::GatewayEvent::Hello(41250)));
    assert!(matches!(parse(json!({"op": 11, "s": null, "t": null, "d": null})), serenity::GatewayEvent::HeartbeatAck));
    assert!(matches!(parse(json!({"op": 7, "s": null, "t": null, "d": null})), serenity::GatewayEvent::Reconnect));
    assert!(matches!(
        parse(json!({"op": 9, "s": null, "t": null, "d": false})),
        serenity::GatewayEvent::InvalidateSession(false)
    ));
}

#[test]
fn slash_command_with_every_option_kind_deserialises() {
    let payload = slash("session")
        .subcommand("start")
        .string("routine", "hips")
        .integer("hold", 30)
        .boolean("private", true)
        .number("scale", 1.5)
        .user("athlete", ATHLETE_ID)
        .role("athletes", ATHLETES_ROLE)
        .channel("channel", OTHER_CHANNEL_ID)
        .by(Invoker::coach())
        .build();
    let serenity::Event::InteractionCreate(ev) = frame("INTERACTION_CREATE", payload.clone()) else {
        panic!("not an interaction")
    };
    let serenity::Interaction::Command(cmd) = ev.interaction else { panic!("not a command") };
    assert_eq!(cmd.data.name, "session");
    assert_eq!(cmd.user.id.get(), COACH_ID);
    let member = cmd.member.as_ref().expect("member");
    assert_eq!(member.roles, vec![serenity::RoleId::new(COACH_ROLE)]);
    assert_eq!(member.permissions.expect("permissions").bits(), EVERYONE_PERMISSIONS);
    let resolved = cmd.data.options();
    let serenity::ResolvedValue::SubCommand(ref opts) = resolved[0].value else {
        panic!("no subcommand: {resolved:?}")
    };
    assert_eq!(opts.len(), 7);
    assert!(matches!(opts[0].value, serenity::ResolvedValue::String("hips")));
    assert!(matches!(opts[1].value, serenity::ResolvedValue::Integer(30)));
    assert!(matches!(opts[4].value, serenity::ResolvedValue::User(u, Some(_)) if u.id.get() == ATHLETE_ID));
    assert!(matches!(opts[5].value, serenity::ResolvedValue::Role(r) if r.name == "Athletes"));
    assert!(matches!(opts[6].value, serenity::ResolvedValue::Channel(c) if c.id.get() == OTHER_CHANNEL_ID));
    serde_json::from_value::<serenity::Interaction>(payload).expect("Interaction");
    let grouped = slash("remind").group("admin").subcommand("list").by(Invoker::admin()).build();
    serde_json::from_value::<serenity::Interaction>(grouped).expect("grouped command");
}

#[test]
fn autocomplete_and_components_deserialise() {
    let ac = autocomplete("exercise").focused("name", "pso").string("section", "faq").build();
    let serenity::Interaction::Autocomplete(a) = serde_json::from_value(ac).expect("autocomplete") else {
        panic!("kind")
    };
    let focused = a.data.autocomplete().expect("focused option");
    assert_eq!((focused.name, focused.value), ("name", "pso"));
    let stored = message(
        42,
        CHANNEL_ID,
        &json!({"content": "lobby", "components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "custom_id": "join", "label": "Join"}]}]}),
        false,
        0,
    );
    let press = button("join").on_message(stored).by(Invoker::new(ATHLETE2_ID)).build();
    let serenity::Interaction::Component(c) = serde_json::from_value(press).expect("button") else { panic!("kind") };
    assert_eq!(c.data.custom_id, "join");
    assert_eq!(c.message.id.get(), 42);
    assert_eq!(c.user.id.get(), ATHLETE2_ID);
    let select =
        serde_json::from_value::<serenity::Interaction>(string_select("pick", &["a"]).build()).expect("select");
    assert!(matches!(select, serenity::Interaction::Component(_)));
    serde_json::from_value::<serenity::Interaction>(button("x").build()).expect("default message");
}

#[test]
fn rest_objects_deserialise() {
    let body = json!({"content": "hi", "embeds": [{"title": "t"}], "components": [{"type": 1, "components": [
        {"type": 2, "style": 5, "url": "https://example.com", "label": "Docs"}]}]});
    let m: serenity::Message = serde_json::from_value(message(5, CHANNEL_ID, &body, true, 20)).expect("Message");
    assert_eq!(m.embeds[0].title.as_deref(), Some("t"));
    let mut edited = message(6, CHANNEL_ID, &body, false, 0);
    apply_edit(&mut edited, &json!({"content": null, "embeds": [], "components": []}));
    serde_json::from_value::<serenity::Message>(edited).expect("edited Message");
    serde_json::from_value::<serenity::CurrentApplicationInfo>(application_info()).expect("CurrentApplicationInfo");
    serde_json::from_value::<serenity::CurrentUser>(current_user()).expect("CurrentUser");
    serde_json::from_value::<serenity::User>(user(OWNER_ID)).expect("User");
    serde_json::from_value::<serenity::Channel>(channel(CHANNEL_ID)).expect("Channel");
    serde_json::from_value::<serenity::GuildChannel>(channel(OTHER_CHANNEL_ID)).expect("GuildChannel");
    serde_json::from_value::<serenity::Member>(member(COACH_ID, &[COACH_ROLE])).expect("Member");
    serde_json::from_value::<Vec<serenity::Role>>(json!(roles())).expect("roles");
    serde_json::from_value::<serenity::PartialGuild>(guild_create()).expect("PartialGuild");
    serde_json::from_value::<serenity::Guild>(guild_create()).expect("Guild");
    let cmds =
        json!([{"name": "ping", "description": "Ping", "options": [{"type": 3, "name": "x", "description": "d"}]}]);
    let out = registered(&cmds, Some(GUILD_ID), &mut |_| 77);
    let list: Vec<serenity::Command> = serde_json::from_value(out).expect("Vec<Command>");
    assert_eq!((list[0].id.get(), list[0].name.as_str()), (77, "ping"));
}

fn problems(f: impl FnOnce(&mut Problems)) -> Vec<String> {
    let mut p = Problems::default();
    f(&mut p);
    p.0.into_iter().map(|p| format!("{} {}", p.path, p.code)).collect()
}

fn msg(body: Value) -> Vec<String> {
    problems(|p| rules::message(p, "", &body, MessageKind::ChannelCreate))
}

#[test]
fn embeds_are_limited_to_6000_characters_in_total() {
    let embed = |footer: usize| json!({"title": "t".repeat(256), "description": "d".repeat(4096), "footer": {"text": "f".repeat(footer)}});
    assert_eq!(msg(json!({"embeds": [embed(1648)]})), Vec::<String>::new());
    assert_eq!(msg(json!({"embeds": [embed(1649)]})), vec!["embeds MAX_EMBED_SIZE_EXCEEDED"]);
    let split = json!({"embeds": [{"description": "d".repeat(3000)}, {"description": "d".repeat(3001)}]});
    assert_eq!(msg(split), vec!["embeds MAX_EMBED_SIZE_EXCEEDED"]);
}

#[test]
fn message_limits_are_enforced() {
    assert!(msg(json!({"content": "x".repeat(2000)})).is_empty());
    assert_eq!(msg(json!({"content": "é".repeat(2001)})), vec!["content BASE_TYPE_MAX_LENGTH"]);
    assert_eq!(msg(json!({"content": ""})), vec![" EMPTY_MESSAGE"]);
    assert_eq!(msg(json!({"embeds": vec![json!({"title": "t"}); 11]})), vec!["embeds BASE_TYPE_MAX_LENGTH"]);
    let fields: Vec<Value> = (0..26).map(|i| json!({"name": format!("n{i}"), "value": "v"})).collect();
    assert_eq!(msg(json!({"embeds": [{"fields": fields}]})), vec!["embeds.0.fields BASE_TYPE_MAX_LENGTH"]);
    let bad_field = json!({"embeds": [{"title": "x".repeat(257), "fields": [{"name": "", "value": "v".repeat(1025)}], "author": {"name": "a".repeat(257)}}]});
    assert_eq!(
        msg(bad_field),
        vec![
            "embeds.0.title BASE_TYPE_MAX_LENGTH",
            "embeds.0.fields.0.name BASE_TYPE_BAD_LENGTH",
            "embeds.0.fields.0.value BASE_TYPE_BAD_LENGTH",
            "embeds.0.author.name BASE_TYPE_BAD_LENGTH"
        ]
    );
    assert_eq!(msg(json!({"content": "x", "colour": 3})), vec!["colour SIM_UNKNOWN_KEY"]);
    let mentions = json!({"content": "x", "allowed_mentions": {"parse": ["users", "here"], "users": ["1"]}});
    assert_eq!(
        msg(mentions),
        vec![
            "allowed_mentions.parse.1 BASE_TYPE_CHOICES",
            "allowed_mentions.users MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"
        ]
    );
}

fn row(buttons: Vec<Value>) -> Value {
    json!({"type": 1, "components": buttons})
}

fn btn(id: &str) -> Value {
    json!({"type": 2, "style": 1, "custom_id": id, "label": "L"})
}

#[test]
fn component_limits_are_enforced() {
    assert!(msg(json!({"components": [row(vec![btn(&"c".repeat(100))])]})).is_empty());
    assert_eq!(
        msg(json!({"components": [row(vec![btn(&"c".repeat(101))])]})),
        vec!["components.0.components.0.custom_id BASE_TYPE_BAD_LENGTH"]
    );
    let six: Vec<Value> = (0..6).map(|i| btn(&i.to_string())).collect();
    assert_eq!(msg(json!({"components": [row(six)]})), vec!["components.0.components BASE_TYPE_MAX_LENGTH"]);
    let rows: Vec<Value> = (0..6).map(|i| row(vec![btn(&i.to_string())])).collect();
    assert_eq!(msg(json!({"components": rows})), vec!["components BASE_TYPE_MAX_LENGTH"]);
    assert_eq!(
        msg(json!({"components": [row(vec![btn("a"), btn("a")])]})),
        vec!["components.0.components.1.custom_id COMPONENT_CUSTOM_ID_DUPLICATED"]
    );
    let link_with_id = json!({"type": 2, "style": 5, "custom_id": "x", "url": "https://e.com"});
    let url_on_primary =
        json!({"type": 2, "style": 1, "custom_id": "y", "url": "https://e.com", "label": "l".repeat(81)});
    let bad_style = json!({"type": 2, "style": 7, "custom_id": "z"});
    assert_eq!(
        msg(json!({"components": [row(vec![link_with_id, url_on_primary, bad_style])]})),
        vec![
            "components.0.components.0.custom_id BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
            "components.0.components.1.url BUTTON_COMPONENT_URL_NOT_ALLOWED",
            "components.0.components.1.label BASE_TYPE_MAX_LENGTH",
            "components.0.components.2.style BASE_TYPE_CHOICES"
        ]
    );
}

#[test]
fn callbacks_are_checked_against_the_interaction_type() {
    let choices = |n: usize| json!({"type": 8, "data": {"choices": (0..n).map(|i| json!({"name": format!("c{i}"), "value": format!("v{i}")})).collect::<Vec<_>>()}});
    assert!(problems(|p| rules::callback(p, &choices(25), Some(4))).is_empty());
    assert_eq!(problems(|p| rules::callback(p, &choices(26), Some(4))), vec!["data.choices BASE_TYPE_MAX_LENGTH"]);
    let long = json!({"type": 8, "data": {"choices": [{"name": "n".repeat(101), "value": "v".repeat(101)}]}});
    assert_eq!(
        problems(|p| rules::callback(p, &long, Some(4))),
        vec!["data.choices.0.name BASE_TYPE_BAD_LENGTH", "data.choices.0.value BASE_TYPE_MAX_LENGTH"]
    );
    assert_eq!(problems(|p| rules::callback(p, &choices(1), Some(2))), vec!["type INTERACTION_RESPONSE_TYPE_INVALID"]);
    assert_eq!(
        problems(|p| rules::callback(p, &json!({"type": 7, "data": {"content": "x"}}), Some(2))),
        vec!["type INTERACTION_RESPONSE_TYPE_INVALID"]
    );
    assert_eq!(
        problems(|p| rules::callback(p, &json!({"type": 3}), None)),
        vec!["type INTERACTION_RESPONSE_TYPE_INVALID"]
    );
    assert!(problems(|p| rules::callback(p, &json!({"type": 6, "data": null}), Some(3))).is_empty());
    let body = json!({"type": 4, "data": {"content": "x".repeat(2001)}});
    let mut p = Problems::default();
    rules::callback(&mut p, &body, Some(2));
    assert_eq!(p.error_body()["errors"]["data"]["content"]["_errors"][0]["code"], "BASE_TYPE_MAX_LENGTH");
    assert_eq!(p.error_body()["code"], 50035);
}

fn cmd(v: Value) -> Vec<String> {
    problems(|p| rules::commands(p, &json!([v])))
}

#[test]
fn command_registration_rules() {
    let ok = json!({"name": "session", "description": "Group sessions", "options": [
        {"type": 1, "name": "start", "description": "Start", "options": [
            {"type": 3, "name": "routine", "description": "Which", "required": true, "autocomplete": true},
            {"type": 4, "name": "hold", "description": "Seconds", "min_value": 5, "max_value": 600}]}]});
    assert!(cmd(ok).is_empty());
    assert_eq!(cmd(json!({"name": "Ping", "description": "d"})), vec!["0.name APPLICATION_COMMAND_INVALID_NAME"]);
    assert_eq!(cmd(json!({"name": "two words", "description": "d"})), vec!["0.name APPLICATION_COMMAND_INVALID_NAME"]);
    assert_eq!(
        cmd(json!({"name": "ping", "description": "d".repeat(101)})),
        vec!["0.description BASE_TYPE_BAD_LENGTH"]
    );
    assert_eq!(cmd(json!({"name": "ping", "description": ""})), vec!["0.description BASE_TYPE_BAD_LENGTH"]);
    let options: Vec<Value> =
        (0..26).map(|i| json!({"type": 3, "name": format!("o{i}"), "description": "d"})).collect();
    assert_eq!(
        cmd(json!({"name": "ping", "description": "d", "options": options})),
        vec!["0.options BASE_TYPE_MAX_LENGTH"]
    );
    let choices: Vec<Value> = (0..26).map(|i| json!({"name": format!("c{i}"), "value": "v"})).collect();
    let too_many = json!({"name": "p", "description": "d", "options": [{"type": 3, "name": "o", "description": "d", "choices": choices}]});
    assert_eq!(cmd(too_many), vec!["0.options.0.choices BASE_TYPE_MAX_LENGTH"]);
    let order = json!({"name": "p", "description": "d", "options": [
        {"type": 3, "name": "a", "description": "d"}, {"type": 3, "name": "b", "description": "d", "required": true}]});
    assert_eq!(cmd(order), vec!["0.options.1.required APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"]);
    let mixed = json!({"name": "p", "description": "d", "options": [
        {"type": 1, "name": "a", "description": "d"}, {"type": 3, "name": "b", "description": "d"}]});
    assert_eq!(cmd(mixed), vec!["0.options APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"]);
    let group = json!({"name": "p", "description": "d", "options": [
        {"type": 2, "name": "g", "description": "d", "options": [{"type": 3, "name": "b", "description": "d"}]}]});
    assert_eq!(cmd(group), vec!["0.options.0.options APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"]);
    let bool_choices = json!({"name": "p", "description": "d", "options": [
        {"type": 5, "name": "b", "description": "d", "choices": [{"name": "y", "value": true}], "nsfw": false}]});
    assert_eq!(
        cmd(bool_choices),
        vec!["0.options.0.nsfw SIM_UNKNOWN_KEY", "0.options.0.choices SIM_FIELD_NOT_ALLOWED"]
    );
    let dup = json!([{"name": "p", "description": "d"}, {"name": "p", "description": "e"}]);
    assert_eq!(problems(|p| rules::commands(p, &dup)), vec!["1.name APPLICATION_COMMAND_ALREADY_EXISTS"]);
    let many: Vec<Value> = (0..101).map(|i| json!({"name": format!("c{i}"), "description": "d"})).collect();
    assert_eq!(problems(|p| rules::commands(p, &json!(many))), vec![" APPLICATION_COMMANDS_CHAT_INPUT_LIMIT"]);
}

#[test]
fn what_serenity_builders_send_is_accepted() {
    use serenity::{CreateActionRow as Row, CreateButton, CreateEmbed, CreateEmbedFooter};
    let embed = CreateEmbed::new()
        .title("t")
        .description("d")
        .field("n", "v", true)
        .footer(CreateEmbedFooter::new("f"))
        .colour(0x00ff00);
    let row = Row::Buttons(vec![
        CreateButton::new("join").label("Join"),
        CreateButton::new_link("https://example.com").label("Docs"),
    ]);
    let mentions = serenity::CreateAllowedMentions::new().users([OWNER_ID]);
    let create = serenity::CreateMessage::new()
        .content("c")
        .embed(embed.clone())
        .components(vec![row.clone()])
        .allowed_mentions(mentions);
    assert_eq!(msg(serde_json::to_value(create).unwrap()), Vec::<String>::new());
    let edit = serde_json::to_value(serenity::EditMessage::new().content("e").components(vec![])).unwrap();
    assert!(problems(|p| rules::message(p, "", &edit, MessageKind::ChannelEdit)).is_empty());
    let reply =
        serenity::CreateInteractionResponseMessage::new().embed(embed.clone()).components(vec![row]).ephemeral(true);
    let auto = serenity::CreateAutocompleteResponse::new().add_string_choice("Psoas Smash", "psoas-smash");
    for (response, kind) in [
        (serenity::CreateInteractionResponse::Message(reply.clone()), 2),
        (
            serenity::CreateInteractionResponse::Defer(
                serenity::CreateInteractionResponseMessage::new().ephemeral(true),
            ),
            2,
        ),
        (serenity::CreateInteractionResponse::UpdateMessage(reply), 3),
        (serenity::CreateInteractionResponse::Acknowledge, 3),
        (serenity::CreateInteractionResponse::Autocomplete(auto), 4),
    ] {
        let body = serde_json::to_value(&response).unwrap();
        assert!(problems(|p| rules::callback(p, &body, Some(kind))).is_empty(), "{body}");
    }
    let followup =
        serde_json::to_value(serenity::CreateInteractionResponseFollowup::new().content("f").embed(embed)).unwrap();
    assert!(problems(|p| rules::message(p, "", &followup, MessageKind::WebhookExecute)).is_empty());
    let edit = serde_json::to_value(serenity::EditInteractionResponse::new().content("e")).unwrap();
    assert!(problems(|p| rules::message(p, "", &edit, MessageKind::WebhookEdit)).is_empty());
    let option = |kind, name: &str| serenity::CreateCommandOption::new(kind, name, "desc");
    let command = serenity::CreateCommand::new("routine")
        .description("Routines")
        .default_member_permissions(serenity::Permissions::MANAGE_GUILD)
        .add_option(
            option(serenity::CommandOptionType::SubCommand, "post")
                .add_sub_option(
                    option(serenity::CommandOptionType::String, "name").required(true).set_autocomplete(true),
                )
                .add_sub_option(option(serenity::CommandOptionType::Role, "athletes"))
                .add_sub_option(option(serenity::CommandOptionType::Integer, "days").min_int_value(1).max_int_value(90))
                .add_sub_option(option(serenity::CommandOptionType::String, "section").add_string_choice("All", "all")),
        );
    assert_eq!(problems(|p| rules::commands(p, &json!([command]))), Vec::<String>::new());
}
