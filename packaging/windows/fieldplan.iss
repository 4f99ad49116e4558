; Inno Setup script: wraps the PyInstaller folder (dist\fieldplan) in an installer
; for ordinary Windows laptops. Per-user install: no administrator rights needed.
; Needs Inno Setup 6.5 or later (the first to ship Languages\Arabic.isl); build the
; folder first (pyinstaller packaging\fieldplan.spec, from the repository root).
[Setup]
AppId={{6C1F5F3E-2B7A-4D55-9B0E-7F3A1C2D4E5F}
AppName=fieldplan
AppVersion=0.4.0
AppPublisher=IOM–OIC Plan of Action joint mechanism
DefaultDirName={localappdata}\Programs\fieldplan
DefaultGroupName=fieldplan
PrivilegesRequired=lowest
OutputBaseFilename=fieldplan-0.4.0-setup
Compression=lzma2
SolidCompression=yes
ChangesAssociations=yes
SetupIconFile=..\..\resources\icons\fieldplan.ico
UninstallDisplayIcon={app}\fieldplan.exe
; Qt 6 and Python 3.11 run on 64-bit Windows 10 1809 or later only
MinVersion=10.0.17763
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "ar"; MessagesFile: "compiler:Languages\Arabic.isl"

[InstallDelete]
; an upgrade: the earlier build's files go first (a module or Qt library the new build
; no longer has would otherwise stay and might be loaded)
Type: filesandordirs; Name: "{app}\_internal"
Type: filesandordirs; Name: "{app}\THIRD-PARTY-NOTICES"

[Files]
Source: "..\..\dist\fieldplan\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Icons]
; started in Documents (not the program's folder): where file choosers open first
Name: "{group}\fieldplan"; Filename: "{app}\fieldplan.exe"; Parameters: "gui"; WorkingDir: "{userdocs}"
Name: "{userdesktop}\fieldplan"; Filename: "{app}\fieldplan.exe"; Parameters: "gui"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; the extension's key goes too once its value is gone (uninsdeletevalue alone left it
; in the registry, empty, after the uninstall)
Root: HKCU; Subkey: "Software\Classes\.fieldplan"; ValueType: string; ValueData: "fieldplan.bundle"; Flags: uninsdeletevalue uninsdeletekeyifempty
; the type itself, with the name Explorer shows for it; uninstalling removes the whole
; key (the keys below alone would leave fieldplan.bundle and its shell key behind, empty)
Root: HKCU; Subkey: "Software\Classes\fieldplan.bundle"; ValueType: string; ValueData: "fieldplan bundle"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\fieldplan.bundle\DefaultIcon"; ValueType: string; ValueData: """{app}\fieldplan.exe"",0"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\fieldplan.bundle\shell\open\command"; ValueType: string; ValueData: """{app}\fieldplan.exe"" gui ""%1"""; Flags: uninsdeletekey
