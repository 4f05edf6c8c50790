; Windows installer for Soniox Desktop (NSIS 3.08 or later).
;
; Packs the PyInstaller one-folder build into Soniox-Desktop-<version>-setup.exe. It installs for
; the current user only, into %LOCALAPPDATA%\Programs\Soniox Desktop, so it never asks for
; administrator rights, and registers an uninstaller under Add/Remove Programs (HKCU).
;
;   makensis -V2 -WX -DVERSION=0.1.0 -DSRCDIR=dist\soniox-desktop installer.nsi
;
; Defines (all optional):
;   VERSION       the app version; default: the first `version = "..."` in pyproject.toml,
;                 which is [project] version (tests/app/test_packaging.py checks they agree)
;   VERSION_WIN   four numbers for the file's version resource; default: VERSION's first three + .0
;   SRCDIR        the one-folder build; default dist\soniox-desktop
;   OUTFILE       default dist\Soniox-Desktop-<VERSION>-setup.exe
;   COMPRESSOR    default "/SOLID lzma" (what releases use), or zlib, bzip2, none; CI's check
;                 passes none to save the two minutes LZMA takes: nothing else depends on it
;   SIGN          a command that signs the file named by %1 (packaging/windows/sign.py); when
;                 given, the uninstaller and the finished installer are both signed
;
; On Linux the same command checks the script against the Linux build as a stand-in payload.

Unicode true
ManifestDPIAware true
!ifndef COMPRESSOR
  !define COMPRESSOR "/SOLID lzma"
  !ifndef LZMA_DICT_MB
    !define LZMA_DICT_MB 32
  !endif
!endif
!if "${COMPRESSOR}" == "none"
  SetCompress off
!else
  SetCompressor ${COMPRESSOR}
!endif
!ifdef LZMA_DICT_MB
  SetCompressorDictSize ${LZMA_DICT_MB}
!endif
RequestExecutionLevel user

!define APP_NAME "Soniox Desktop"
!define APP_EXE "soniox-desktop.exe"
!define APP_ID "SonioxDesktop"
!define PUBLISHER "Soniox Desktop developers"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
; platformdirs' folders for appname "soniox-desktop", appauthor "Soniox Desktop" (desktop/core/paths.py):
; settings, data, logs and cache all live under this one folder on Windows.
!define USER_DATA_PARENT "$LOCALAPPDATA\Soniox Desktop"
!define USER_DATA "${USER_DATA_PARENT}\soniox-desktop"

!ifndef VERSION
  !searchparse /file "pyproject.toml" `version = "` VERSION `"`
!endif
!ifndef VERSION_WIN
  !searchparse /noerrors "${VERSION}" "" VERSION_MAJOR "." VERSION_MINOR "." VERSION_PATCH
  !define VERSION_WIN "${VERSION_MAJOR}.${VERSION_MINOR}.${VERSION_PATCH}.0"
!endif
!ifndef SRCDIR
  !define SRCDIR "dist\soniox-desktop"
!endif
!ifndef OUTFILE
  !define OUTFILE "dist\Soniox-Desktop-${VERSION}-setup.exe"
!endif
!if ! /FileExists "${SRCDIR}\_internal\*"
  !error "${SRCDIR} is not a PyInstaller one-folder build: run make dist (or pyinstaller) first"
!endif

!ifdef SIGN
  !uninstfinalize '${SIGN} "%1"' = 0
  !finalize '${SIGN} "%1"' = 0
!endif

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"
ShowInstDetails hide
ShowUninstDetails hide

VIProductVersion "${VERSION_WIN}"
VIFileVersion "${VERSION_WIN}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} ${VERSION} setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}; Apache License 2.0"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"

!define MUI_ICON "resources\icons\app.ico"
!define MUI_UNICON "resources\icons\app.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Run ${APP_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ; The payload is a 64-bit build of Qt 6, which needs Windows 10 or later.
  ${IfNot} ${RunningX64}
  ${OrIfNot} ${AtLeastWin10}
    MessageBox MB_OK|MB_ICONSTOP "${APP_NAME} needs 64-bit Windows 10 or later." /SD IDOK
    Abort
  ${EndIf}
  SetShellVarContext current
FunctionEnd

Section "${APP_NAME}" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the whole runtime folder, so files an older version had do not linger.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SRCDIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Desktop shortcut" SecDesktop
  CreateShortCut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
SectionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"

  ; Only what the installer put there: $INSTDIR may be a folder the user chose that holds more.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"

  ; The user's settings, job history, transcripts cache, logs and saved API key are theirs:
  ; keep them unless they say otherwise (a silent uninstall keeps them).
  ${If} ${FileExists} "${USER_DATA}\*"
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
      "Also delete your ${APP_NAME} settings, saved API key, job history and logs?$\r$\n$\r$\n\
      Choose No to keep them for a later installation." /SD IDNO IDNO keep_user_data
    RMDir /r "${USER_DATA}"
    RMDir "${USER_DATA_PARENT}"
    ; keyring's Windows backend keeps the API key as a generic credential named after the
    ; service (desktop/core/secrets.py), or "user@service" when it had to rename one.
    nsExec::Exec '"$SYSDIR\cmdkey.exe" /delete:soniox-desktop'
    Pop $0
    nsExec::Exec '"$SYSDIR\cmdkey.exe" /delete:api-key@soniox-desktop'
    Pop $0
    keep_user_data:
  ${EndIf}
SectionEnd
