def rule(event):
    if event.get("eventName") != "ConsoleLogin":
        return False
    if event.deep_get("userIdentity", "type") != "IAMUser":
        return False
    if event.deep_get("responseElements", "ConsoleLogin") != "Success":
        return False
    return event.deep_get("additionalEventData", "MFAUsed") == "No"


def title(event):
    user = event.deep_get("userIdentity", "userName", default="<unknown user>")
    return f"AWS console login without MFA by [{user}]"


def alert_context(event):
    return {
        "user": event.deep_get("userIdentity", "userName"),
        "source_ip": event.get("sourceIPAddress"),
    }
