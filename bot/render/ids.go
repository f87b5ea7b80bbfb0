package render

// Action ids of buttons; a button's value is the prospect id it acts on.
// Routing in package bot dispatches on these.
const (
	ActionYes     = "prospect_yes"
	ActionNotYet  = "prospect_not_yet"
	ActionLose    = "prospect_lose"
	ActionWon     = "prospect_won"
	ActionUpdate  = "prospect_update"
	ActionLoseAll = "cleanup_lose_quiet"
	// ActionThatsIt confirms the calendar's later meeting as the second
	// meeting; ActionNotSales withdraws a meeting the calendar brought.
	ActionThatsIt  = "prospect_calendar_yes"
	ActionNotSales = "prospect_not_sales"
	// ActionCalendarOn and ActionCalendarOff turn the rep's calendar on/off.
	ActionCalendarOn  = "calendar_on"
	ActionCalendarOff = "calendar_off"
)

// Callback ids of modals.
const (
	ViewLog     = "log_meeting"
	ViewConfirm = "confirm_second_meeting"
	ViewLose    = "lose_fast"
	ViewUpdate  = "update_deal"
	ViewLoseAll = "lose_quiet"
)

// Input block ids. Each is also the action id of its element, and each
// matches a coach.Field* name, so a rule broken by one input is shown next to
// that input.
const (
	InputAccount     = "account"
	InputContact     = "contact"
	InputFirstDate   = "first_meeting"
	InputFirstTime   = "first_meeting_time"
	InputSecondDate  = "second_meeting"
	InputSecondTime  = "second_meeting_time"
	InputAmount      = "amount"
	InputNextStep    = "next_step"
	InputReason      = "reason"
	InputLesson      = "lesson"
	InputSaveMoment  = "save_moment"
	InputShare       = "share"
	InputWaitingOn   = "waiting_on"
	InputWaitingDate = "waiting_until"
	InputCloseDate   = "close_date"
	shareOptionValue = "share"
)

// ShareOptionValue is the value of the "share with the team" checkbox.
const ShareOptionValue = shareOptionValue
